import fs from 'node:fs';
import path from 'node:path';

/** Programs of `requires` that no directory of `searchPath` holds as an executable file. */
export async function missingPrograms(requires: readonly string[], searchPath: string): Promise<string[]> {
  const dirs = searchPath.split(path.delimiter).filter(Boolean);
  const missing: string[] = [];
  for (const program of requires) {
    let found = false;
    for (const dir of dirs) {
      try {
        await fs.promises.access(path.join(dir, program), fs.constants.X_OK);
        found = true;
        break;
      } catch {
        // not in this directory
      }
    }
    if (!found) missing.push(program);
  }
  return missing;
}

/** "git-clone needs `git` on the worker" (and the others, if several are missing). */
export function missingProgramsMessage(component: string, missing: readonly string[]): string {
  return `${component} needs ${missing.map((p) => `\`${p}\``).join(', ')} on the worker (not found on its PATH)`;
}
