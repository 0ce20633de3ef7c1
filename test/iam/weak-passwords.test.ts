import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMON_PASSWORDS } from '../../engine/iam/common-passwords.js';
import { MIN_PASSWORD_LENGTH, isWeakPassword, passwordProblem } from '../../engine/iam/weak-passwords.js';

/** Asserts the refusal message mentions `words`. */
function refused(password: string, words: RegExp, accessKey?: string): void {
  const problem = passwordProblem(password, accessKey);
  assert.ok(problem !== null, `${password} should be refused`);
  assert.match(problem, words, password);
}

describe('passwordProblem', () => {
  it('keeps the length rules', () => {
    assert.equal(MIN_PASSWORD_LENGTH, 12);
    refused('Xk4!vR9#tq2', /at least 12 characters/);
    refused('x'.repeat(300), /at most 256 characters/);
    assert.equal(passwordProblem('Xk4!vR9#tq2L'), null);
    assert.equal(passwordProblem('Vq7-'.repeat(3) + 'z'.repeat(244)), null, '256 is allowed');
  });

  it('refuses the access key, also with case changed or digits added', () => {
    refused('granary-admin-1', /must not equal the access key/, 'granary-admin-1');
    refused('Granary-Admin-1', /access key with only the letter case changed/, 'granary-admin-1');
    refused('backupoperator2024!', /access key/, 'backupoperator');
    refused('g4croxs4x7htifc1wgc51!', /access key/, 'G4CROXS4X7HTIFC1WGC5');
    refused('2024!backupoperator', /access key/, 'backupoperator');
    assert.equal(passwordProblem('Mh7-coral-stint', 'backupoperator'), null);
    assert.equal(passwordProblem('Mh7-coral-stint', ''), null, 'an empty access key matches nothing');
  });

  it('refuses object-store defaults and example keys', () => {
    refused('minioadmin', /at least 12/);
    refused('MinioAdmin123', /common password with only digits or symbols added/);
    refused('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', /well-known default/);
    refused('granaryadmin', /well-known default/);
  });

  it('refuses common breached passwords, case-insensitively', () => {
    assert.ok(COMMON_PASSWORDS.size > 900);
    assert.ok(COMMON_PASSWORDS.has('liverpool'));
    for (const p of ['COMPUTER', 'Liverpool', 'iloveyou', 'michelle']) assert.equal(isWeakPassword(p), true, p);
    refused('StarWarsStarWars', /short piece repeated/);
    // Twelve characters or more in the list itself.
    for (const p of ['qwertyuiop12', '123456789012']) assert.notEqual(passwordProblem(p), null, p);
  });

  it('refuses a common password with digits or symbols added', () => {
    for (const p of ['password1234!', 'Password2024!', 'qwertyuiop123', 'sunshine2023!', '!!football1987', '2024Liverpool', 'Dragon_1234567', 'monkey-123456']) {
      refused(p, /common password with only digits or symbols added/);
    }
  });

  it('refuses look-alike spellings of common passwords', () => {
    refused('P@ssw0rd2024!', /common password/);
    refused('dr@g0n123456', /common password with only digits or symbols added/);
    refused('$unsh1ne2024', /common password/);
    refused('L3tm31n!!!!!', /common password/);
    refused('Tr0ub4dorTr0ub4dor', /short piece repeated/);
  });

  it('refuses one character repeated', () => {
    for (const p of ['aaaaaaaaaaaa', '############', 'ZZZZZZZZZZZZZZZZ', '777777777777']) refused(p, /one character repeated/);
    refused('kkkkkkkkk!!!!', /one character repeated with only digits or symbols added/);
  });

  it('refuses simple sequences', () => {
    for (const p of ['123456789012', 'abcdefghijkl', 'ABCDEFGHIJKLMNOP', 'zyxwvutsrqpo', '987654321098', 'qwertyuiopas', 'poiuytrewqlk', '1qaz2wsx3edc', '1q2w3e4r5t6y', 'azertyuiopqs', 'mnopqrstuvwx', 'xyzabcdefghi']) {
      refused(p, /simple sequence/);
    }
    refused('abcdefgh1234', /simple sequence of .* with only digits or symbols added/);
    refused('asdfghjk!!!!', /simple sequence|common password/);
  });

  it('refuses pieces repeated', () => {
    refused('abcabcabcabc', /simple sequence|short piece repeated/);
    refused('xq7xq7xq7xq7', /short piece repeated/);
    refused('hunter2hunter2', /short piece repeated/);
  });

  it('refuses passwords of digits and common symbols alone', () => {
    refused('839274619283', /only digits and common symbols/);
    refused('2024-06-15!!', /only digits and common symbols/);
  });

  it('accepts ordinary strong passwords', () => {
    for (const p of [
      'correct horse battery staple',
      'Mh7-coral-stint',
      'tX9#qLm2$vR8wz',
      'Xk4!vR9#tq2L',
      'my granary has 4 drives!',
      'passwordmanager-generated: 7Gv2kQ',
      'x83920174635a', // a letter at each end: no common stem, no pattern
      'Zürich-Bahnhof-1847',
      '83927461928x',
      '8#(2]{;9~/4>7|',
    ]) {
      assert.equal(passwordProblem(p, 'granaryadmin'), null, p);
    }
  });

  it('says what is wrong without echoing the password', () => {
    // Refusals end up in logs and start-up errors: no part of the password goes with them.
    for (const p of ['sunshine1234!', 'qwertyuiop123', 'aaaaaaaaaaaa', '123456789012', 'MinioAdmin123', 'Backupoperator1']) {
      const problem = passwordProblem(p, 'backupoperator')!;
      assert.ok(!problem.toLowerCase().includes(p.toLowerCase().slice(0, 6)), problem);
      assert.match(problem, /^it (is|must)/);
    }
  });
});
