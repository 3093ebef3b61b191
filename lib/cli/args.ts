// Command-line parsing: node:util's parseArgs, strict, with one addition.
// parseArgs refuses an option value that starts with '-' ("--lr -0.1" is
// "ambiguous"), so a negative number (or a filter kernel like "-1,0,1")
// could only be given as --lr=-0.1. A value-taking option followed by
// something that reads as a negative number takes it as its value.
import { parseArgs, type ParseArgsConfig } from 'node:util';

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

export function parseCommand<O extends Options>(args: string[], options: O, allowPositionals = false): Parsed<O> {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!, next = args[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`${a}=${next}`);
      i++;
    } else {
      joined.push(a);
    }
  }
  return parseArgs({ args: joined, options, strict: true, allowPositionals }) as Parsed<O>;
}
