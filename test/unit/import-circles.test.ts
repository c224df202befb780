import path from 'node:path';
import { circles, crossFolderCircles } from '../../scripts/import-cycles';

describe('imports', () => {
  it('close no circle across top-level folders (arrows point down)', () => {
    expect(crossFolderCircles(path.join(__dirname, '../..'))).toEqual([]);
  });

  it('a circle is found when one is there', () => {
    const graph = new Map([
      ['a/x.ts', ['b/y.ts']],
      ['b/y.ts', ['a/x.ts']],
      ['c/z.ts', ['a/x.ts']],
    ]);
    expect(circles(graph)).toEqual([['a/x.ts', 'b/y.ts']]);
  });
});
