import { describe, expect, it } from 'vitest';
import { configFromFlags, UsageError } from '../../../src/main/cli/args.js';

describe('train flags', () => {
  it('--width sets both widths; --ngf and --ndf set one each, over the preset', () => {
    const quick = configFromFlags({}, 'quick');
    expect(configFromFlags({ width: '24' }, 'quick')).toMatchObject({ ngf: 24, ndf: 24 });
    expect(configFromFlags({ ngf: '48' }, 'quick')).toMatchObject({ ngf: 48, ndf: quick.ndf });
    expect(configFromFlags({ width: '24', ndf: '8' }, 'quick')).toMatchObject({ ngf: 24, ndf: 8 });
    expect(configFromFlags({ preset: 'paper', ngf: '32' }, 'quick')).toMatchObject({ ngf: 32, ndf: 64, limit: null });
  });

  it('refuses a width that is not a whole number, or out of range, naming the flag', () => {
    expect(() => configFromFlags({ ndf: 'wide' }, 'quick')).toThrow(new UsageError('--ndf must be a whole number, got "wide"'));
    expect(() => configFromFlags({ ngf: '0' }, 'quick')).toThrow(UsageError);
  });

  it('--seed sets both seeds (one seed did everything before the split); --training-seed sets only the training one', () => {
    expect(configFromFlags({ seed: '5' }, 'quick')).toMatchObject({ seed: 5, trainingSeed: 5 });
    expect(configFromFlags({ seed: '5', 'training-seed': '9' }, 'quick')).toMatchObject({ seed: 5, trainingSeed: 9 });
    expect(configFromFlags({ 'training-seed': '9' }, 'quick')).toMatchObject({ seed: 1, trainingSeed: 9 });
  });
});
