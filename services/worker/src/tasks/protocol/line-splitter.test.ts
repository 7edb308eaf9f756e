import { LineSplitter } from './line-splitter';

describe('line splitter', () => {
  it('joins lines split across chunks and keeps the unterminated last line for end()', () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from('one\ntw'))).toEqual([{ text: 'one', cutBytes: 0 }]);
    expect(splitter.push(Buffer.from('o\r\nthree'))).toEqual([{ text: 'two', cutBytes: 0 }]);
    expect(splitter.end()).toEqual([{ text: 'three', cutBytes: 0 }]);
    expect(splitter.end()).toEqual([]);
  });

  it('keeps empty lines', () => {
    expect(new LineSplitter(10).push(Buffer.from('\n\nx\n')).map((l) => l.text)).toEqual(['', '', 'x']);
  });

  it('cuts an over-long line at the limit, counts what it dropped, and goes on with the next line', () => {
    const splitter = new LineSplitter(4);
    expect(splitter.push(Buffer.from('abcdef'))).toEqual([]);
    expect(splitter.push(Buffer.from('gh\nok\n'))).toEqual([
      { text: 'abcd', cutBytes: 4 },
      { text: 'ok', cutBytes: 0 },
    ]);
  });

  it('decodes a multi-byte character split between chunks', () => {
    const bytes = Buffer.from('é€\n');
    const splitter = new LineSplitter(100);
    expect(splitter.push(bytes.subarray(0, 1))).toEqual([]);
    expect(splitter.push(bytes.subarray(1))).toEqual([{ text: 'é€', cutBytes: 0 }]);
  });
});
