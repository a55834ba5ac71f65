// What AWS checks when a template is submitted, before any parameter value is known: transforms, parameter and
// resource types, references and GetAtt attributes, condition names, and the IAM capabilities it needs.
import { ServiceError } from '../../errors.js';
import { collectReferences, dependsOnList } from './graph.js';
import { checkParameterType, PSEUDO_PARAMETER_NAMES } from './parameters.js';
import type { ResourceRegistry } from './resources.js';
import { validationError } from './shared.js';
import { templateError, type Template } from './template.js';

/** Static checks AWS makes when a template is submitted: references, GetAtt attributes, condition names. */
function validateReferences(template: Template, registry: ResourceRegistry): void {
  const parameters = new Set([...Object.keys(template.Parameters ?? {}), ...PSEUDO_PARAMETER_NAMES]);
  const resources = template.Resources;
  const conditions = template.Conditions ?? {};
  const check = (value: unknown, block: 'Resources' | 'Outputs', extraTargets: string[] = []) => {
    const unresolved = new Set<string>(extraTargets.filter((target) => !Object.hasOwn(resources, target)));
    const { references, conditionNames } = collectReferences(value);
    for (const reference of references) {
      const isResource = Object.hasOwn(resources, reference.target);
      if (reference.kind === 'GetAtt' || (reference.kind === 'Sub' && reference.attribute !== undefined)) {
        if (!isResource) {
          if (reference.kind === 'GetAtt') {
            throw validationError(`Template error: instance of Fn::GetAtt references undefined resource ${reference.target}`);
          }
          unresolved.add(reference.target);
          continue;
        }
        const handler = registry[resources[reference.target]!.Type];
        if (handler && reference.attribute !== undefined && !handler.attributeNames.includes(reference.attribute)) {
          throw validationError(
            `Template error: resource ${reference.target} does not support attribute type ${reference.attribute} in Fn::GetAtt`,
          );
        }
      } else if (!isResource && !parameters.has(reference.target)) {
        unresolved.add(reference.target);
      }
    }
    if (unresolved.size > 0) {
      throw templateError(`Unresolved resource dependencies [${[...unresolved].join(', ')}] in the ${block} block of the template`);
    }
    const missingConditions = conditionNames.filter((name) => !Object.hasOwn(conditions, name));
    if (missingConditions.length > 0) {
      throw templateError(`Unresolved condition dependencies [${missingConditions.join(', ')}] in the ${block} block of the template`);
    }
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (parameters.has(logicalId)) {
      throw validationError(`Template error: all resources and parameters must have unique names. Common name(s):[${logicalId}]`);
    }
    if (resource.Condition !== undefined && !Object.hasOwn(conditions, resource.Condition)) {
      throw templateError(`Unresolved condition dependencies [${resource.Condition}] in the Resources block of the template`);
    }
    if (resource.DeletionPolicy !== undefined && !['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(resource.DeletionPolicy)) {
      throw templateError(`Unrecognized DeletionPolicy ${resource.DeletionPolicy} for resource ${logicalId}`);
    }
    check({ Properties: resource.Properties, Metadata: resource.Metadata }, 'Resources', dependsOnList(resource.DependsOn));
  }
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    if (output.Condition !== undefined && !Object.hasOwn(conditions, output.Condition)) {
      throw templateError(`Unresolved condition dependencies [${output.Condition}] in the Outputs block of the template (output ${key})`);
    }
    check({ Value: output.Value, Export: output.Export }, 'Outputs');
  }
}

/** What ValidateTemplate checks without parameter values: transforms, parameter types, references. */
export function validateTemplate(template: Template, registry: ResourceRegistry): void {
  if (template.Transform !== undefined) {
    throw validationError(
      `Transform ${JSON.stringify(template.Transform)} is not supported by the lambda-async-demo local emulator: deploy the processed template.`,
    );
  }
  for (const [name, definition] of Object.entries(template.Parameters ?? {})) checkParameterType(name, definition.Type);
  checkResourceTypes(template, registry);
  validateReferences(template, registry);
}

/** The shapes a registry type name can take: Organization::Service::Resource (::MODULE for modules), or Custom::Name. */
const REGISTRY_TYPE_NAME = /^(?:[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}(?:::MODULE)?|Custom::[A-Za-z0-9_@-]{1,60})$/;

/**
 * AWS refuses a type its registry does not know when the template is submitted (ValidateTemplate, CreateStack and
 * CreateChangeSet alike), not when the resource is created: "Template format error: Unrecognized resource types:
 * [AWS::NotAReal::Thing]". The emulator cannot see the registry, so it refuses the names that cannot be in it; a
 * well-formed type it does not emulate still fails that resource at creation, with a reason saying so.
 */
function checkResourceTypes(template: Template, registry: ResourceRegistry): void {
  const unrecognized = [
    ...new Set(
      Object.values(template.Resources)
        .map((resource) => resource.Type)
        .filter((type) => !Object.hasOwn(registry, type) && !REGISTRY_TYPE_NAME.test(type)),
    ),
  ];
  if (unrecognized.length > 0) throw validationError(`Template format error: Unrecognized resource types: [${unrecognized.join(', ')}]`);
}

// ------------------------------------------------------------------------------------------------ capabilities

const IAM_NAME_PROPERTIES = ['RoleName', 'UserName', 'GroupName', 'ManagedPolicyName', 'InstanceProfileName'];

/** The capability a template needs: IAM resources need CAPABILITY_IAM, custom-named ones CAPABILITY_NAMED_IAM. */
export function requiredCapabilities(template: Template): { capabilities: string[]; resourceTypes: string[] } {
  const iamResources = Object.values(template.Resources).filter((resource) => resource.Type.startsWith('AWS::IAM::'));
  if (iamResources.length === 0) return { capabilities: [], resourceTypes: [] };
  const named = iamResources.some((resource) => IAM_NAME_PROPERTIES.some((name) => resource.Properties?.[name] !== undefined));
  return {
    capabilities: [named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM'],
    resourceTypes: [...new Set(iamResources.map((resource) => resource.Type))],
  };
}

/** docs/aws-semantics.md §6.2: "Requires capabilities : [CAPABILITY_IAM]", raised when the set is created. */
export function checkCapabilities(template: Template, given: string[]): void {
  const [needed] = requiredCapabilities(template).capabilities;
  if (!needed) return;
  const satisfied = needed === 'CAPABILITY_IAM' ? given.includes('CAPABILITY_IAM') || given.includes('CAPABILITY_NAMED_IAM') : given.includes(needed);
  if (!satisfied) throw new ServiceError('InsufficientCapabilitiesException', `Requires capabilities : [${needed}]`);
}
