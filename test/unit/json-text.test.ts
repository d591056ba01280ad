/** The inspector page's JSON: coloured tokens, syntax errors located, pretty printing that changes only whitespace. */
import { describe, expect, it } from 'vitest';
import { highlight, jsonProblems, prettyJson } from '../../src/inspector-page/json-text.js';

describe('jsonProblems', () => {
  it('finds none in a JSON document, and names the first error with its line and column', () => {
    expect(jsonProblems('{"a": [1, 2]}')).toEqual([]);
    const [problem] = jsonProblems('{\n  "a": 1\n  "b": 2\n}');
    expect(problem).toMatchObject({ line: 3, column: 3, message: 'a comma is expected' });
    expect(jsonProblems('{"a": 1,}')[0]!.message).toBe('a property name (in double quotes) is expected');
    expect(jsonProblems('{"a": 1} // note')[0]!.message).toBe('JSON has no comments');
    expect(jsonProblems('')[0]!.message).toBe('the body is empty');
  });
});

describe('highlight', () => {
  it('tells keys from string values, and marks the text at the error', () => {
    const tokens = highlight('{"price": "free", "n": 1.50, "ok": true}');
    expect(tokens.filter((t) => t.kind === 'key').map((t) => t.text)).toEqual(['"price"', '"n"', '"ok"']);
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['"free"']);
    expect(tokens.find((t) => t.kind === 'number')!.text).toBe('1.50');
    const text = '{"a": 1 "b": 2}';
    const [problem] = jsonProblems(text);
    const marked = highlight(text, problem);
    expect(marked.map((t) => t.text).join('')).toBe(text);
    expect(
      marked
        .filter((t) => t.wrong)
        .map((t) => t.text)
        .join(''),
    ).toBe('"b"');
  });

  it('marks a document cut short at its end', () => {
    const text = '{"a": ';
    const marked = highlight(text, jsonProblems(text)[0]);
    expect(marked.at(-1)).toMatchObject({ text: '', wrong: true });
  });
});

describe('prettyJson', () => {
  it('indents two spaces a level and keeps every number and string as written', () => {
    expect(prettyJson('{"price":1.50,"big":12345678901234567890,"e":"\\u00e9","a":[]}')).toBe(
      '{\n  "price": 1.50,\n  "big": 12345678901234567890,\n  "e": "\\u00e9",\n  "a": []\n}',
    );
  });

  it('leaves a text with syntax errors as it is', () => {
    expect(prettyJson('{"a":1,,}')).toBe('{"a":1,,}');
  });
});
