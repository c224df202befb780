/**
 * The POSIX sh script one GitHub Actions job runs as: its steps in order, in one workspace, each
 * step's body written to a file and run by its own shell (bash -eo pipefail by default), with
 * $GITHUB_OUTPUT, $GITHUB_ENV, $GITHUB_PATH and $GITHUB_STEP_SUMMARY read back after the step.
 * The job exits with the exit code of its first failed step (0 when none failed).
 */

export interface ScriptStep {
  /** position in the job, for file names and variable names */
  index: number;
  label: string;
  /** translated body: `${VAR}` and `${{ cel }}` references only */
  body: string;
  /** command template, `{0}` is the script file */
  shell: string;
  /** double-quoted shell word content */
  workingDirectory?: string;
  /** [name, double-quoted word content] */
  env: [string, string][];
  /** shell condition */
  condition: string;
  continueOnError: boolean;
  timeoutMinutes?: number;
  /** outputs of this step that later text reads: [variable, key] */
  outputs: [string, string][];
}

export interface JobScriptInput {
  job: string;
  steps: ScriptStep[];
  /** job outputs: [name, double-quoted word content] */
  outputs: [string, string][];
}

const PRELUDE = String.raw`set +e
co_tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$co_tmp"' EXIT
export GITHUB_WORKSPACE="$PWD" RUNNER_TEMP="$co_tmp/runner-temp" RUNNER_TOOL_CACHE="$co_tmp/tool-cache"
export CI=true GITHUB_ACTIONS=true RUNNER_OS=Linux RUNNER_ARCH=X64 CO_GH_JOB_STATUS=success
mkdir -p "$RUNNER_TEMP" "$RUNNER_TOOL_CACHE"
co_failed=0
co_lower() { printf '%s' "$1" | tr '[:upper:]' '[:lower:]'; }
co_eq() { [ "$(co_lower "$1")" = "$(co_lower "$2")" ]; }
co_contains() { case "$(co_lower "$1")" in *"$(co_lower "$2")"*) return 0 ;; esac; return 1; }
co_startswith() { case "$(co_lower "$1")" in "$(co_lower "$2")"*) return 0 ;; esac; return 1; }
co_endswith() { case "$(co_lower "$1")" in *"$(co_lower "$2")") return 0 ;; esac; return 1; }
# reads NAME=value and NAME<<DELIM ... DELIM lines; calls "$2" NAME VALUE for each
co_each_pair() {
  [ -s "$1" ] || return 0
  co_delim=
  while IFS= read -r co_line || [ -n "$co_line" ]; do
    if [ -n "$co_delim" ]; then
      if [ "$co_line" = "$co_delim" ]; then "$2" "$co_name" "$co_val"; co_delim=
      elif [ "$co_first" = 1 ]; then co_val=$co_line; co_first=0
      else co_val="$co_val
$co_line"; fi
      continue
    fi
    co_key=${'$'}{co_line%%=*}
    case $co_key in
      *'<<'*) co_name=${'$'}{co_line%%<<*}; co_delim=${'$'}{co_line#*<<}; co_val=; co_first=1 ;;
      *) [ "$co_key" != "$co_line" ] && "$2" "$co_key" "${'$'}{co_line#*=}" ;;
    esac
  done < "$1"
}
co_export() { case $1 in [A-Za-z_]*) export "$1=$2" ;; esac; }
co_pick() { [ "$1" = "$co_want" ] && co_found=$2; }
co_output() { co_want=$2; co_found=; co_each_pair "$1" co_pick; printf '%s' "$co_found"; }
co_path() { [ -s "$1" ] || return 0; while IFS= read -r co_line; do [ -n "$co_line" ] && PATH="$co_line:$PATH"; done < "$1"; export PATH; }
# hashFiles() runs in the steps' own shells: a command on PATH, not a function of this one
mkdir -p "$co_tmp/bin"
cat > "$co_tmp/bin/co_hash_files" <<'CO_GH_HASH_EOF'
#!/bin/sh
cd "$GITHUB_WORKSPACE" || exit 1
  # find's * crosses directories; a leading **/ also matches at the top, as in GitHub's globs
  co_list=$(for co_p in "$@"; do find . \( -path "./$co_p" -o -path "./${'$'}{co_p#'**/'}" \) -type f -not -path './.git/*' 2>/dev/null; done | sort -u)
  [ -n "$co_list" ] || exit 0
  printf '%s\n' "$co_list" | while IFS= read -r co_f; do sha256sum "$co_f" | cut -d' ' -f1; done | sha256sum | cut -d' ' -f1
CO_GH_HASH_EOF
chmod +x "$co_tmp/bin/co_hash_files"
export PATH="$co_tmp/bin:$PATH"
co_set_output() { printf '%s<<__CO_GH_OUTPUT_EOF__\n%s\n__CO_GH_OUTPUT_EOF__\n' "$1" "$2" >> "$CO_OUTPUTS"; }
`;

/** A heredoc delimiter that no line of `body` equals. */
function delimiter(body: string, index: number): string {
  const lines = new Set(body.split('\n'));
  let d = `CO_GH_STEP_${index}_EOF`;
  while (lines.has(d)) d += '_';
  return d;
}

/** Single-quoted shell word: the text exactly, nothing expands. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function stepBlock(step: ScriptStep): string {
  const i = step.index;
  const label = step.label.replace(/\n/g, ' ');
  const file = `"$co_tmp/step-${i}"`;
  const d = delimiter(step.body, i);
  const command = step.shell.replace('{0}', file);
  const timed = step.timeoutMinutes
    ? `timeout -k 10 ${Math.round(step.timeoutMinutes * 60)} ${command}`
    : command;
  const cd = step.workingDirectory ? `cd -- "${step.workingDirectory}" || exit 1\n    ` : '';
  const env = step.env.map(([k, v]) => `export ${k}="${v}"\n    `).join('');
  const outputs = step.outputs
    .map(
      ([v, key]) =>
        `  ${v}=$(co_output "$co_tmp/output-${i}" '${key.replace(/'/g, `'\\''`)}'); export ${v}\n`,
    )
    .join('');
  const onFailure = step.continueOnError
    ? `CO_GH_STEP_${i}_CONCLUSION=success`
    : `CO_GH_STEP_${i}_CONCLUSION=failure; [ "$co_failed" = 0 ] && co_failed=$co_rc; CO_GH_JOB_STATUS=failure`;
  return `
# ${label}
CO_GH_STEP_${i}_OUTCOME=skipped; CO_GH_STEP_${i}_CONCLUSION=skipped
if ${step.condition}; then
  printf '%s\\n' ${quote(`::step:: ${label}`)}
  : > "$co_tmp/output-${i}"; : > "$co_tmp/env-${i}"; : > "$co_tmp/path-${i}"; : > "$co_tmp/summary-${i}"
  cat > ${file} <<'${d}'
${step.body}
${d}
  (
    ${cd}${env}export GITHUB_OUTPUT="$co_tmp/output-${i}" GITHUB_ENV="$co_tmp/env-${i}" GITHUB_PATH="$co_tmp/path-${i}" GITHUB_STEP_SUMMARY="$co_tmp/summary-${i}"
    ${timed}
  )
  co_rc=$?
  co_each_pair "$co_tmp/env-${i}" co_export
  co_path "$co_tmp/path-${i}"
  [ -s "$co_tmp/summary-${i}" ] && { echo "::summary::"; cat "$co_tmp/summary-${i}"; }
${outputs}  if [ "$co_rc" = 0 ]; then CO_GH_STEP_${i}_OUTCOME=success; CO_GH_STEP_${i}_CONCLUSION=success
  else echo "::error:: step failed with exit code $co_rc"; CO_GH_STEP_${i}_OUTCOME=failure; ${onFailure}; fi
else
  printf '%s\\n' ${quote(`::step:: ${label} (skipped)`)}
fi
export CO_GH_STEP_${i}_OUTCOME CO_GH_STEP_${i}_CONCLUSION CO_GH_JOB_STATUS
`;
}

export function jobScript(input: JobScriptInput): string {
  const outputs = input.outputs.map(([name, word]) => `co_set_output '${name}' "${word}"\n`).join('');
  return `# GitHub Actions job "${input.job}", generated by ContainerOps\n${PRELUDE}${input.steps
    .map(stepBlock)
    .join('')}\n${outputs}exit "$co_failed"\n`;
}
