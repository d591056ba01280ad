/** Bytes as the inspector shows them: a hex dump like `hexdump -C`, UTF-8 or not. */
import { describe, expect, it } from 'vitest';
import { fromBase64, hexDump, utf8Text } from '../../src/inspector-page/hex-dump.js';

describe('hexDump', () => {
  it('shows offset, sixteen bytes in two groups, and the printable ones', () => {
    const bytes = Buffer.from('{"event":"a"}\n\x00\xff more', 'latin1');
    expect(hexDump(bytes)).toBe(
      [
        '00000000  7b 22 65 76 65 6e 74 22  3a 22 61 22 7d 0a 00 ff  |{"event":"a"}...|',
        '00000010  20 6d 6f 72 65                                    | more|',
      ].join('\n'),
    );
    expect(hexDump(bytes, 16).split('\n')).toHaveLength(1);
  });

  it('tells UTF-8 text from binary data, and reads the API’s base64', () => {
    expect(utf8Text(Buffer.from('héllo'))).toBe('héllo');
    expect(utf8Text(Buffer.from([0xff, 0xfe]))).toBeUndefined();
    expect(Buffer.from(fromBase64(Buffer.from([0, 1, 255]).toString('base64')))).toEqual(Buffer.from([0, 1, 255]));
  });
});
