/**
 * JSON as the page shows it: tokens to colour, the syntax errors with where they are (line,
 * column, offset), and a pretty form that only changes whitespace — every number and string
 * stays as it was written, which `JSON.stringify(JSON.parse(…))` would not promise. jsonc-parser
 * (the scanner and parser of VS Code's JSON support) does the reading, strictly: no comments, no
 * trailing commas.
 */
import { applyEdits, createScanner, format, type ParseError, ParseErrorCode, parse, SyntaxKind } from 'jsonc-parser';

export type TokenKind = 'key' | 'string' | 'number' | 'literal' | 'punctuation' | 'space' | 'error' | 'other';

export interface Token {
  text: string;
  kind: TokenKind;
  /** Inside the first syntax error's span (or where it points, for a missing token). */
  wrong?: boolean;
}

export interface JsonProblem {
  /** Where, as offsets into the text (a missing token has length 0). */
  offset: number;
  length: number;
  /** 1-based, for people. */
  line: number;
  column: number;
  message: string;
}

const STRICT = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

const MESSAGES: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: 'this is not JSON here',
  [ParseErrorCode.InvalidNumberFormat]: 'not a valid number',
  [ParseErrorCode.PropertyNameExpected]: 'a property name (in double quotes) is expected',
  [ParseErrorCode.ValueExpected]: 'a value is expected',
  [ParseErrorCode.ColonExpected]: 'a colon is expected',
  [ParseErrorCode.CommaExpected]: 'a comma is expected',
  [ParseErrorCode.CloseBraceExpected]: 'a closing } is expected',
  [ParseErrorCode.CloseBracketExpected]: 'a closing ] is expected',
  [ParseErrorCode.EndOfFileExpected]: 'nothing may follow the value',
  [ParseErrorCode.InvalidCommentToken]: 'JSON has no comments',
  [ParseErrorCode.UnexpectedEndOfString]: 'the string is not closed',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'the number is cut short',
  [ParseErrorCode.InvalidUnicode]: 'a \\u escape needs four hex digits',
  [ParseErrorCode.InvalidEscapeCharacter]: 'not a valid escape',
  [ParseErrorCode.InvalidCharacter]: 'a control character must be escaped in a string',
};

/** What is wrong with `text` as JSON, in order; empty when it is a JSON document. */
export function jsonProblems(text: string): JsonProblem[] {
  const errors: ParseError[] = [];
  parse(text, errors, STRICT);
  if (text.trim() === '') return [{ ...position(text, 0), offset: 0, length: 0, message: 'the body is empty' }];
  return errors.map((e) => ({
    ...position(text, e.offset),
    offset: e.offset,
    length: e.length,
    message: MESSAGES[e.error] ?? 'not valid JSON here',
  }));
}

/** 1-based line and column of `offset`. */
export function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** The text in coloured tokens; the first problem's span marked `wrong` (a zero-width one as a marker token). */
export function highlight(text: string, problem?: Pick<JsonProblem, 'offset' | 'length'>): Token[] {
  const scanner = createScanner(text, false);
  const tokens: Token[] = [];
  let pendingKey: Token | undefined;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    const start = scanner.getTokenOffset();
    const token: Token = { text: text.slice(start, start + scanner.getTokenLength()), kind: kindOf(kind) };
    if (token.kind === 'string') pendingKey = token;
    else if (kind === SyntaxKind.ColonToken && pendingKey) pendingKey.kind = 'key';
    if (token.kind !== 'space' && token.kind !== 'string') pendingKey = undefined;
    tokens.push(token);
  }
  return problem ? markProblem(tokens, problem) : tokens;
}

function kindOf(kind: SyntaxKind): TokenKind {
  switch (kind) {
    case SyntaxKind.StringLiteral:
      return 'string';
    case SyntaxKind.NumericLiteral:
      return 'number';
    case SyntaxKind.TrueKeyword:
    case SyntaxKind.FalseKeyword:
    case SyntaxKind.NullKeyword:
      return 'literal';
    case SyntaxKind.OpenBraceToken:
    case SyntaxKind.CloseBraceToken:
    case SyntaxKind.OpenBracketToken:
    case SyntaxKind.CloseBracketToken:
    case SyntaxKind.CommaToken:
    case SyntaxKind.ColonToken:
      return 'punctuation';
    case SyntaxKind.Trivia:
    case SyntaxKind.LineBreakTrivia:
      return 'space';
    case SyntaxKind.Unknown:
      return 'error';
    default:
      return 'other';
  }
}

/** Splits tokens at the problem's span and marks what lies inside it. */
function markProblem(tokens: Token[], { offset, length }: Pick<JsonProblem, 'offset' | 'length'>): Token[] {
  const out: Token[] = [];
  let at = 0;
  let marked = false;
  const end = offset + Math.max(length, 0);
  for (const token of tokens) {
    const from = at;
    const to = at + token.text.length;
    at = to;
    if (length === 0 && !marked && offset >= from && offset < to) {
      if (offset > from) out.push({ ...token, text: token.text.slice(0, offset - from) });
      out.push({ text: '', kind: token.kind, wrong: true });
      out.push({ ...token, text: token.text.slice(offset - from) });
      marked = true;
      continue;
    }
    if (to <= offset || from >= end || length === 0) {
      out.push(token);
      continue;
    }
    const cutFrom = Math.max(offset, from) - from;
    const cutTo = Math.min(end, to) - from;
    if (cutFrom > 0) out.push({ ...token, text: token.text.slice(0, cutFrom) });
    out.push({ ...token, text: token.text.slice(cutFrom, cutTo), wrong: true });
    if (cutTo < token.text.length) out.push({ ...token, text: token.text.slice(cutTo) });
    marked = true;
  }
  // A problem at the very end (a document cut short) is marked after the last token.
  if (!marked) out.push({ text: '', kind: 'error', wrong: true });
  return out;
}

/** Indented two spaces a level, only whitespace changed; a text with syntax errors comes back as it is. */
export function prettyJson(text: string): string {
  if (jsonProblems(text).length) return text;
  return applyEdits(text, format(text, undefined, { tabSize: 2, insertSpaces: true, eol: '\n' }));
}
