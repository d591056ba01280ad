import { describe, expect, it } from 'vitest';
import { maskSecret, redactUrl, redactUrlsIn } from '../../src/core/redact.js';

describe('maskSecret', () => {
  it('keeps two characters of a secret and never its length beyond ten', () => {
    expect(maskSecret('sekret-9f8e7d6c5b4a')).toBe('se********');
    expect(maskSecret('abc')).toBe('****');
    expect(maskSecret(undefined)).toBe('(none)');
  });
});

describe('redactUrl', () => {
  it('masks a password, or a user name given alone (a token)', () => {
    expect(redactUrl('https://user:p4ss@example.com/hook?x=1')).toBe('https://user:****@example.com/hook?x=1');
    expect(redactUrl('https://tok_123@example.com/hook')).toBe('https://****@example.com/hook');
  });

  it('leaves other URLs and non-URLs exactly as they are', () => {
    expect(redactUrl('http://127.0.0.1:3000/webhook')).toBe('http://127.0.0.1:3000/webhook');
    expect(redactUrl('/webhook')).toBe('/webhook');
  });
});

describe('redactUrlsIn', () => {
  it('masks the credentials of every URL in free text, and nothing else', () => {
    expect(redactUrlsIn("psql postgres://ci:hunter2@db:5432/app -tAc 'select 1' # https://tok3n@x.example/")).toBe(
      "psql postgres://ci:****@db:5432/app -tAc 'select 1' # https://****@x.example/",
    );
    expect(redactUrlsIn('wc -l < processed.log; echo user@example.com http://h/p')).toBe(
      'wc -l < processed.log; echo user@example.com http://h/p',
    );
  });
});
