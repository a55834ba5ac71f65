// Commander adapted to this CLI: a parser per option whose refusal waits for the action, values from the given env.
import { Command, type Help, Option } from 'commander';
import { DemoHelp } from './help.js';
import { OptionError } from './option-parsers.js';

/**
 * An option whose value goes through a parser of option-parsers.ts, from the command line or from its environment
 * variable (each error names the one used). A value the parser refuses is kept, as its OptionError, in place of the
 * value: raiseRefusedValue raises it just before the action (a preAction hook), where the values used to be checked,
 * so --help and an unknown option still win over a bad value. (Commander's InvalidArgumentError would be raised at
 * once, and printed after commander's "option '--x <v>' argument 'y' is invalid.": the user reads one sentence.)
 */
export class CheckedOption extends Option {
  constructor(
    flags: string,
    description: string,
    private readonly parse: (text: string, name: string) => unknown,
  ) {
    super(flags, description);
    this.argParser((text: string) => this.parsed(text, this.long ?? flags));
  }

  parsed(text: string, name: string): unknown {
    try {
      return this.parse(text, name);
    } catch (error) {
      if (error instanceof OptionError) return error;
      throw error;
    }
  }
}

/**
 * Commander's Command reading option values from the environment given to parseCommandLine, not process.env (the
 * tests hand main() their own), and printing help through DemoHelp.
 */
export class DemoCommand extends Command {
  constructor(
    name: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    super(name);
  }

  override createCommand(name?: string): Command {
    return new DemoCommand(name, this.env);
  }

  override createHelp(): Help {
    return Object.assign(new DemoHelp(), this.configureHelp());
  }

  /**
   * Replaces commander's own (private) pass over the options with an environment variable, which reads process.env:
   * the same rule (the command line wins over the environment, the environment over a default), with this.env.
   */
  _parseOptionsEnv(): void {
    for (const option of this.options) {
      const variable = option.envVar;
      if (variable === undefined || this.env[variable] === undefined) continue;
      const key = option.attributeName();
      const source = this.getOptionValueSource(key);
      if (this.getOptionValue(key) !== undefined && source !== 'default' && source !== 'env') continue;
      const text = this.env[variable];
      this.setOptionValueWithSource(key, option instanceof CheckedOption ? option.parsed(text, variable) : text, 'env');
    }
  }
}

/** Raises the first value a CheckedOption refused (see there), in the order of the command's options. */
export function raiseRefusedValue(command: Command): void {
  for (const option of command.options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    if (value instanceof OptionError) throw value;
  }
}
