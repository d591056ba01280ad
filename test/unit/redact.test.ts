import { describe, expect, it } from 'vitest';
import { maskSecret, redactCommand, redactUrl, redactUrlsIn } from '../../src/core/redact.js';

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

describe('redactCommand', () => {
  it('masks passwords in environment assignments, password options and mysql -pPASS, besides URLs', () => {
    expect(redactCommand("PGPASSWORD=hunter2 psql -h db -U ci -tAc 'select count(*) from events'")).toBe(
      "PGPASSWORD=**** psql -h db -U ci -tAc 'select count(*) from events'",
    );
    expect(redactCommand('env MYSQL_PWD="s3 cret" mysql -uci -pHunter2 -e "select 1"')).toBe(
      'env MYSQL_PWD=**** mysql -uci -p**** -e "select 1"',
    );
    expect(redactCommand("curl --password=abc --token 'x y' https://u:p@h/ && API_TOKEN=t1 run")).toBe(
      'curl --password=**** --token **** https://u:****@h/ && API_TOKEN=**** run',
    );
    // Nothing else: counts, paths, plain options.
    expect(redactCommand("wc -l < processed.log; psql -p 5432 -tAc 'select 1'")).toBe(
      "wc -l < processed.log; psql -p 5432 -tAc 'select 1'",
    );
  });
});
