import { deliveryBackoff } from './federation-queues';

describe('deliveryBackoff (protocol §2.6)', () => {
  it('doubles from the first delay and stops at 12 hours', () => {
    const exact = (attempt: number) => deliveryBackoff(attempt, 10_000, 0.5);
    expect([1, 2, 3, 4].map(exact)).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(exact(13)).toBe(40_960_000);
    expect(exact(14)).toBe(43_200_000);
    expect(exact(49)).toBe(43_200_000);
  });

  it('spreads retries by ±20 %', () => {
    expect(deliveryBackoff(1, 10_000, 0)).toBe(8_000);
    expect(deliveryBackoff(1, 10_000, 1)).toBe(12_000);
  });
});
