import { drawIndex, mulberry32 } from './seeded-random';

describe('mulberry32', () => {
  it('gives the published sequence for seed 1 (as scripts/statistics-known-answers.py does)', () => {
    const random = mulberry32(1);
    expect([random(), random(), random()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(Array.from({ length: 600 }, () => drawIndex(a, 6))).size).toBe(6);
  });
});
