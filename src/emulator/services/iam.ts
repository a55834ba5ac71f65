// IAM, just enough for the lesson: roles with inline policies that CloudFormation creates and Lambda consults.
import { randomBytes } from 'node:crypto';
import type { EmulatorContext, Service } from '../context.js';
import { ServiceError } from '../errors.js';

interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: unknown;
}

interface InlinePolicy {
  PolicyName: string;
  /** Kept as given (object or JSON text), so GetRolePolicy-style reads return what was put. */
  PolicyDocument: unknown;
}

interface RoleRecord {
  RoleName: string;
  RoleId: string;
  Path: string;
  Arn: string;
  CreateDate: number;
  AssumeRolePolicyDocument?: unknown;
  Policies: InlinePolicy[];
  ManagedPolicyArns: string[];
}

export interface CreateRoleInput {
  RoleName: string;
  Path?: string;
  AssumeRolePolicyDocument?: unknown;
  Policies?: Array<{ PolicyName: string; PolicyDocument: unknown }>;
  ManagedPolicyArns?: string[];
}

interface IamState {
  roles: RoleRecord[];
}

/**
 * AWS managed policies are not stored locally; the one Lambda's tutorials attach everywhere is granted as its
 * documented statement so a role built on it can write its logs.
 */
const KNOWN_MANAGED_POLICIES: Record<string, PolicyStatement[]> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': [
    { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' },
  ],
};

const ROLE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newRoleId(): string {
  // Role ids start AROA (the IAM unique-id prefix for roles) followed by 17 upper-case characters.
  const bytes = randomBytes(17);
  let id = 'AROA';
  for (const byte of bytes) id += ROLE_ID_ALPHABET[byte % ROLE_ID_ALPHABET.length];
  return id;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's');
}

/** IAM action names are case-insensitive ("sqs:sendmessage" grants SendMessage); resource ARNs are not. */
function matchesAny(patterns: string[], value: string, caseInsensitive: boolean): boolean {
  return patterns.some((pattern) => wildcardRegExp(pattern, caseInsensitive).test(value));
}

function parseDocument(document: unknown): { Statement?: PolicyStatement | PolicyStatement[] } | undefined {
  if (typeof document === 'string') {
    try {
      return JSON.parse(document) as { Statement?: PolicyStatement | PolicyStatement[] };
    } catch {
      return undefined;
    }
  }
  return document && typeof document === 'object' ? (document as { Statement?: PolicyStatement[] }) : undefined;
}

function statementsOf(document: unknown): PolicyStatement[] {
  const statement = parseDocument(document)?.Statement;
  if (!statement) return [];
  return Array.isArray(statement) ? statement : [statement];
}

// Condition blocks are ignored: the emulator has no request context (source ARN, tags, ...) to evaluate them
// against, so a conditional statement applies as if its condition held.
function statementApplies(statement: PolicyStatement, action: string, resourceArn: string): boolean {
  const actionMatches =
    statement.NotAction !== undefined
      ? !matchesAny(asList(statement.NotAction), action, true)
      : matchesAny(asList(statement.Action), action, true);
  if (!actionMatches) return false;
  return statement.NotResource !== undefined
    ? !matchesAny(asList(statement.NotResource), resourceArn, false)
    : matchesAny(asList(statement.Resource), resourceArn, false);
}

export class IamService implements Service {
  private roles = new Map<string, RoleRecord>();

  constructor(protected readonly ctx: EmulatorContext) {}

  // IAM is not served over HTTP by the emulator; CloudFormation and Lambda use the methods below.
  readonly operations = {};

  createRole(input: CreateRoleInput): { RoleName: string; Arn: string; RoleId: string } {
    if (this.roles.has(input.RoleName)) {
      throw new ServiceError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`, { status: 409 });
    }
    const path = input.Path ?? '/';
    const role: RoleRecord = {
      RoleName: input.RoleName,
      RoleId: newRoleId(),
      Path: path,
      // IAM ARNs have an empty region (docs/aws-semantics.md §6.7).
      Arn: `arn:aws:iam::${this.ctx.accountId}:role${path}${input.RoleName}`,
      CreateDate: this.ctx.now(),
      AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
      Policies: (input.Policies ?? []).map((policy) => ({ PolicyName: policy.PolicyName, PolicyDocument: policy.PolicyDocument })),
      ManagedPolicyArns: [...(input.ManagedPolicyArns ?? [])],
    };
    this.roles.set(role.RoleName, role);
    this.ctx.stateChanged();
    return { RoleName: role.RoleName, Arn: role.Arn, RoleId: role.RoleId };
  }

  /** Replaces the role's trust policy, inline policies and managed policy list (CloudFormation's in-place update). */
  updateRole(
    roleName: string,
    input: Pick<CreateRoleInput, 'AssumeRolePolicyDocument' | 'Policies' | 'ManagedPolicyArns'>,
  ): { RoleName: string; Arn: string; RoleId: string } {
    const role = this.requireRole(roleName);
    role.AssumeRolePolicyDocument = input.AssumeRolePolicyDocument;
    role.Policies = (input.Policies ?? []).map((policy) => ({ PolicyName: policy.PolicyName, PolicyDocument: policy.PolicyDocument }));
    role.ManagedPolicyArns = [...(input.ManagedPolicyArns ?? [])];
    this.ctx.stateChanged();
    return { RoleName: role.RoleName, Arn: role.Arn, RoleId: role.RoleId };
  }

  deleteRole(roleName: string): void {
    this.requireRole(roleName);
    this.roles.delete(roleName);
    this.ctx.stateChanged();
  }

  getRole(roleName: string): Readonly<RoleRecord> | undefined {
    return this.roles.get(roleName);
  }

  roleExists(roleArn: string): boolean {
    return this.roleByArn(roleArn) !== undefined;
  }

  /**
   * Whether the role's policies allow `action` on `resourceArn`: an explicit Deny wins, then any Allow, else the
   * implicit deny. Action patterns match case-insensitively with `*` and `?`; resource patterns case-sensitively.
   */
  isAllowed(roleArn: string, action: string, resourceArn: string): boolean {
    const role = this.roleByArn(roleArn);
    if (!role) return false;
    const statements = [
      ...role.Policies.flatMap((policy) => statementsOf(policy.PolicyDocument)),
      ...role.ManagedPolicyArns.flatMap((arn) => KNOWN_MANAGED_POLICIES[arn] ?? []),
    ];
    let allowed = false;
    for (const statement of statements) {
      if (!statementApplies(statement, action, resourceArn)) continue;
      if (statement.Effect === 'Deny') return false;
      if (statement.Effect === 'Allow') allowed = true;
    }
    return allowed;
  }

  exportState(): IamState {
    return { roles: [...this.roles.values()].map((role) => structuredClone(role)) };
  }

  importState(state: unknown): void {
    this.roles.clear();
    const roles = (state as Partial<IamState> | undefined)?.roles ?? [];
    for (const role of roles) this.roles.set(role.RoleName, structuredClone(role));
  }

  async close(): Promise<void> {}

  private requireRole(roleName: string): RoleRecord {
    const role = this.roles.get(roleName);
    if (!role) throw new ServiceError('NoSuchEntity', `The role with name ${roleName} cannot be found.`, { status: 404 });
    return role;
  }

  private roleByArn(roleArn: string): RoleRecord | undefined {
    // arn:aws:iam::<account>:role/<path><name>: the name is the last path segment.
    const match = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    if (!match || match[1] !== this.ctx.accountId) return undefined;
    const role = this.roles.get(match[2]!);
    return role && role.Arn === roleArn ? role : undefined;
  }
}
