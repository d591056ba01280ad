/**
 * `completion bash|zsh|fish|powershell` prints a script whose completer asks the hidden `__complete`
 * command for candidates. Those come from the commander tree itself (commands, subcommands,
 * flags), the event catalogue where a type is expected, and the local history's delivery ids for
 * `replay` and `history show` — read only if the history file exists (completion never creates it).
 */
import { existsSync } from 'node:fs';
import type { CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import type { CommandContext } from '../cli/context.js';
import { printLine } from '../cli/output.js';
import { EVENT_TYPES } from '../core/events.js';
import { UsageError } from '../errors.js';
import { BUILT_IN_SCENARIOS } from '../scenarios/scenario-catalogue.js';
import { spoolDirectory } from '../store/delivery-spool.js';

const SCRIPTS: Record<string, string> = {
  bash: `# webhooks-cli completion for bash: source <(webhooks-cli completion bash)
_webhooks_cli() {
  local IFS=$'\\n'
  COMPREPLY=($(webhooks-cli __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _webhooks_cli webhooks-cli
`,
  zsh: `# webhooks-cli completion for zsh: source <(webhooks-cli completion zsh)
autoload -U +X bashcompinit && bashcompinit
_webhooks_cli() {
  local IFS=$'\\n'
  COMPREPLY=($(webhooks-cli __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _webhooks_cli webhooks-cli
`,
  fish: `# webhooks-cli completion for fish: webhooks-cli completion fish | source
complete -c webhooks-cli -f -a '(webhooks-cli __complete -- (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
`,
  // The words before the cursor after the program name, then the word being completed ('' after a
  // space; Windows PowerShell drops an empty argument to a program, so it goes as '""' there).
  powershell: `# webhooks-cli completion for PowerShell: add to $PROFILE
#   webhooks-cli completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'webhooks-cli', 'webhooks-cli.cmd' -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $words = @($commandAst.CommandElements |
    Where-Object { $_.Extent.EndOffset -le $cursorPosition } |
    Select-Object -Skip 1 |
    ForEach-Object { $_.ToString() })
  if ($wordToComplete -and $words.Count -gt 0 -and $words[-1] -eq $wordToComplete) {
    $words = @($words | Select-Object -SkipLast 1)
  }
  $current = if ($wordToComplete) { $wordToComplete } elseif ($PSVersionTable.PSVersion -lt [version]'7.3') { '""' } else { '' }
  webhooks-cli __complete -- @words $current 2>$null | ForEach-Object {
    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
  }
}
`,
};

/** Where a positional or flag value wants an event type (trigger, events show/schema, emit, test --event, --register-events). */
const EVENT_POSITIONALS = new Set(['trigger', 'events show', 'events schema', 'emit']);
const EVENT_FLAGS = new Set(['--event', '--events', '--register-events', '--add-event', '--remove-event']);
const DELIVERY_POSITIONALS = new Set(['replay', 'history show']);
const SCENARIO_POSITIONALS = new Set(['scenarios show']);

export function completionCommand(ctx: CommandContext, shell: string): void {
  const script = SCRIPTS[shell];
  if (!script) throw new UsageError(`no completion for "${shell}"`, 'use bash, zsh, fish or powershell');
  ctx.stdout.write(script);
}

/** The candidates for the last of `words` (the words after the program name, the last being completed). */
export async function completeCommand(ctx: CommandContext, words: string[]): Promise<void> {
  const { buildProgram } = await import('../cli/main.js');
  const program = buildProgram();
  const current = words[words.length - 1] ?? '';
  const before = words.slice(0, -1);
  let command: CommandUnknownOpts = program;
  const path: string[] = [];
  for (const word of before) {
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (sub && !word.startsWith('-')) {
      command = sub;
      path.push(sub.name());
    }
  }
  const where = path.join(' ');
  const previous = before[before.length - 1];
  const flags = [...command.options, ...program.options].filter((o) => !o.hidden);
  const takesValue = previous?.startsWith('-')
    ? flags.find((o) => o.long === previous || o.short === previous)
    : undefined;
  let candidates: string[];
  if (takesValue && (takesValue.required || takesValue.optional)) {
    candidates = EVENT_FLAGS.has(takesValue.long ?? '')
      ? [...EVENT_TYPES]
      : takesValue.long === '--scenario'
        ? [...BUILT_IN_SCENARIOS]
        : (takesValue.argChoices ?? []);
  } else if (current.startsWith('-')) {
    candidates = flags.flatMap((o: Option) => [o.long ?? o.short ?? '']).filter(Boolean);
  } else if (EVENT_POSITIONALS.has(where)) {
    candidates = [...EVENT_TYPES, ...command.commands.map((c) => c.name())];
  } else if (SCENARIO_POSITIONALS.has(where)) {
    candidates = [...BUILT_IN_SCENARIOS];
  } else if (DELIVERY_POSITIONALS.has(where)) {
    candidates = await recentDeliveryIds(ctx.dbPath);
  } else {
    candidates = command.commands
      .filter((c) => !(c as CommandUnknownOpts & { _hidden?: boolean })._hidden)
      .map((c) => c.name());
  }
  for (const c of candidates.filter((c) => c.startsWith(current))) printLine(ctx, c);
}

async function recentDeliveryIds(dbPath: string): Promise<string[]> {
  // The history (or the spool fast commands write to first) must already be there: Tab never creates one.
  if (!existsSync(dbPath) && !existsSync(spoolDirectory(dbPath))) return [];
  const { HistoryStore } = await import('../store/history-store.js');
  const store = HistoryStore.open(dbPath);
  try {
    return [
      ...new Set(
        store
          .list({ limit: 100 })
          .map((d) => d.deliveryId)
          .filter((id): id is string => Boolean(id)),
      ),
    ];
  } finally {
    store.close();
  }
}
