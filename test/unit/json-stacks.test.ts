/**
 * Each re-serialisation the doctor signs must be, byte for byte, what the real stack writes back
 * after parsing the probe: every event type's probe goes through python3's json.dumps (three
 * ways, and Flask's own dumps), PHP's json_encode, Ruby's to_json, Go's json.Marshal of a map and
 * Node's JSON.stringify, and is compared with `writeAs`. .NET is not installed here: its writer
 * is checked against outputs recorded from System.Text.Json's documentation.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/core/events.js';
import { type JsonStack, WrittenNumber, writeAs, writeAsWritten } from '../../src/doctor/json-stacks.js';
import { buildProbe, DEFAULT_PROBE_EVENT, PROBE_TEXT } from '../../src/doctor/probe-body.js';
import { tempDir } from '../helpers/cli.js';
import { DEBIAN_PYTHON, skipWithoutPythonModule } from '../helpers/fixture-app.js';
import { skipWithout } from '../helpers/required-program.js';

const NOW = new Date('2026-01-05T08:00:00Z');
const probes = EVENT_TYPES.map((type) => buildProbe(type, NOW));
/** One probe a line: each body is compact and ends in its newline. */
const input = probes.map((p) => p.body.toString('utf8')).join('');
const UTF8 = { PYTHONIOENCODING: 'utf-8', LANG: 'C.UTF-8' };

async function linesFrom(command: string, args: string[], options: { cwd?: string } = {}): Promise<string[]> {
  const { stdout } = await execa(command, args, { input, env: UTF8, stripFinalNewline: false, ...options });
  return stdout.split('\n').slice(0, -1);
}

/** Expects `outputs` (one a probe, in order) to be what `writeAs(stack)` makes of each probe. */
function expectStack(stack: JsonStack, outputs: string[]) {
  expect(outputs).toHaveLength(probes.length);
  for (const [i, probe] of probes.entries())
    expect(writeAs(stack, probe.value), `${stack} on ${probe.event}`).toBe(outputs[i]);
}

describe('the probe body', () => {
  const probe = buildProbe(DEFAULT_PROBE_EVENT, NOW);
  const text = probe.body.toString('utf8');

  it('carries every feature that tells the stacks apart', () => {
    expect(text).toContain(PROBE_TEXT); // non-ASCII (one past the BMP), /, < and &
    expect(text).toMatch(/"price":89\.990,/);
    expect(text).toMatch(/"compare_at_price":1\.0\b/);
    expect(text.indexOf('"event"')).toBeLessThan(text.indexOf('"data"')); // not in sorted order
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('is a valid delivery of its event type, for every type', async () => {
    const { EventValidator } = await import('../../src/schemas/event-validator.js');
    const validator = new EventValidator();
    for (const p of probes)
      expect(validator.validate(p.event, JSON.parse(p.body.toString('utf8'))), p.event).toEqual([]);
  });

  it('is written by no stack as it is: every re-serialisation signs other bytes', () => {
    const stacks: JsonStack[] = [
      'javascript',
      'ruby',
      'python',
      'python-sorted',
      'python-compact',
      'php',
      'go',
      'dotnet',
    ];
    const written = stacks.map((s) => writeAs(s, probe.value));
    expect(new Set([text.trimEnd(), ...written]).size).toBe(stacks.length + 1);
  });
});

describe('re-serialisations against the real stacks', () => {
  it("Node's JSON.stringify(JSON.parse(body))", async () => {
    const script =
      "let s='';process.stdin.on('data',c=>s+=c).on('end',()=>{for(const l of s.split('\\n').slice(0,-1))console.log(JSON.stringify(JSON.parse(l)))})";
    expectStack('javascript', await linesFrom(process.execPath, ['-e', script]));
  });

  it.skipIf(skipWithout('python3', ['--version']))(
    "Python's json.dumps: defaults, sort_keys=True, compact separators",
    async () => {
      const script = [
        'import json, sys',
        'values = [json.loads(line) for line in sys.stdin.read().splitlines()]',
        'for v in values: print(json.dumps(v))',
        'for v in values: print(json.dumps(v, sort_keys=True))',
        'for v in values: print(json.dumps(v, separators=(",", ":")))',
      ].join('\n');
      const lines = await linesFrom('python3', ['-c', script]);
      const n = probes.length;
      expectStack('python', lines.slice(0, n));
      expectStack('python-sorted', lines.slice(n, 2 * n));
      expectStack('python-compact', lines.slice(2 * n));
    },
  );

  it.skipIf(skipWithoutPythonModule('flask', 'python3-flask'))(
    "Flask's flask.json.dumps in an app is Python's with sort_keys=True",
    async () => {
      const script = [
        'import json, sys, flask',
        'app = flask.Flask(__name__)',
        'with app.app_context():',
        '    for line in sys.stdin.read().splitlines(): print(flask.json.dumps(json.loads(line)))',
      ].join('\n');
      expectStack('python-sorted', await linesFrom(DEBIAN_PYTHON, ['-c', script]));
    },
  );

  it.skipIf(skipWithout('php', ['--version'], 'php-cli'))(
    "PHP's json_encode(json_decode($body)), as an object and as an array",
    async () => {
      const script =
        '$lines = explode("\\n", rtrim(stream_get_contents(STDIN), "\\n"));' +
        'foreach ($lines as $l) echo json_encode(json_decode($l)), "\\n";' +
        'foreach ($lines as $l) echo json_encode(json_decode($l, true)), "\\n";';
      const lines = await linesFrom('php', ['-r', script]);
      expectStack('php', lines.slice(0, probes.length));
      expectStack('php', lines.slice(probes.length));
    },
  );

  it.skipIf(skipWithout('ruby', ['--version']))("Ruby's JSON.parse(body).to_json", async () => {
    const script = "require 'json'; STDIN.each_line { |l| puts JSON.parse(l).to_json }";
    expectStack('ruby', await linesFrom('ruby', ['-Eutf-8:utf-8', '-e', script]));
  });

  describe.skipIf(skipWithout('go', ['version'], 'golang-go'))("Go's encoding/json", () => {
    let dir: string;
    beforeAll(async () => {
      dir = tempDir('go-marshal-');
      writeFileSync(join(dir, 'go.mod'), 'module marshal\n\ngo 1.19\n');
      writeFileSync(
        join(dir, 'main.go'),
        `package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var m map[string]interface{}
		if err := json.Unmarshal(scanner.Bytes(), &m); err != nil {
			panic(err)
		}
		out, _ := json.Marshal(m)
		fmt.Println(string(out))
	}
}
`,
      );
      await execa('go', ['build', '-o', 'marshal', '.'], {
        cwd: dir,
        env: { GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local' },
        timeout: 170_000,
      });
    }, 180_000);

    it('json.Marshal of the map[string]interface{} json.Unmarshal filled', async () => {
      expectStack('go', await linesFrom(join(dir, 'marshal'), []));
    });
  });
});

describe('System.Text.Json (recorded outputs: no .NET runtime here)', () => {
  const n = (text: string) => new WrittenNumber(Number(text), text);

  it("writes the documentation's examples as System.Text.Json does", () => {
    // learn.microsoft.com, "How to customize character encoding with System.Text.Json".
    expect(writeAs('dotnet', { Summary: 'жарко' })).toBe('{"Summary":"\\u0436\\u0430\\u0440\\u043A\\u043E"}');
    // JavaScriptEncoder.UnsafeRelaxedJsonEscaping's remarks: the default encodes " as \u0022 and escapes <, >, & and +.
    expect(writeAs('dotnet', { a: 'say "hi" <b> & 1+1 \'x\' `y`' })).toBe(
      '{"a":"say \\u0022hi\\u0022 \\u003Cb\\u003E \\u0026 1\\u002B1 \\u0027x\\u0027 \\u0060y\\u0060"}',
    );
  });

  it("keeps numbers as written and the key order, and escapes the probe's text", () => {
    const value = { b: n('89.990'), a: [n('1.0'), n('42')], t: 'été/<é> & 👗\n' };
    expect(writeAs('dotnet', value)).toBe(
      '{"b":89.990,"a":[1.0,42],"t":"\\u00E9t\\u00E9/\\u003C\\u00E9\\u003E \\u0026 \\uD83D\\uDC57\\n"}',
    );
    expect(writeAsWritten(value)).toBe('{"b":89.990,"a":[1.0,42],"t":"été/<é> & 👗\\n"}');
  });
});
