import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../engine/cli/args.js';
import { parseServerArgs } from '../../engine/cli/server-command.js';
import { parseDurationText, sessionDuration } from '../../engine/sts/duration.js';
import { StsError } from '../../engine/sts/sts-error.js';

describe('STS session durations', () => {
  const limits = { min: 900, max: 43_200 };

  it('DurationSeconds: absent → 3600 s, within the limits as given, anything else a ValidationError', () => {
    assert.equal(sessionDuration(null, limits), 3600);
    assert.equal(sessionDuration('', limits), 3600);
    assert.equal(sessionDuration('900', limits), 900);
    assert.equal(sessionDuration('43200', limits), 43_200);
    // A maximum below an hour makes the default the maximum.
    assert.equal(sessionDuration(null, { min: 900, max: 1800 }), 1800);
    for (const bad of ['899', '43201', '0', '-1', '1.5', '1e4', ' 900', 'abc', '99999999999999']) {
      assert.throws(() => sessionDuration(bad, limits), (e: unknown) => e instanceof StsError && e.code === 'ValidationError' && e.status === 400, bad);
    }
  });

  it('--sts-max-duration and --sts-min-duration: durations with units, bounded, consistent', () => {
    assert.equal(parseDurationText('90'), 90);
    assert.equal(parseDurationText('30m'), 1800);
    assert.equal(parseDurationText('12h'), 43_200);
    assert.equal(parseDurationText('365d'), 31_536_000);
    assert.equal(parseDurationText('1w'), undefined);
    assert.equal(parseDurationText('-5'), undefined);
    assert.equal(parseServerArgs(['/d1']).sts, undefined);
    assert.deepEqual(parseServerArgs(['--sts-max-duration', '7d', '/d1']).sts, { maxDuration: 604_800 });
    assert.deepEqual(parseServerArgs(['--sts-min-duration', '1', '--sts-max-duration', '60', '/d1']).sts, { minDuration: 1, maxDuration: 60 });
    assert.throws(() => parseServerArgs(['--sts-max-duration', '366d', '/d1']), UsageError);
    assert.throws(() => parseServerArgs(['--sts-max-duration', '10m', '/d1']), UsageError);
    assert.throws(() => parseServerArgs(['--sts-min-duration', '13h', '/d1']), UsageError);
    assert.throws(() => parseServerArgs(['--sts-max-duration', 'soon', '/d1']), UsageError);
    assert.throws(() => parseServerArgs(['--sts-min-duration', '0', '/d1']), UsageError);
  });
});
