import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homePaths, resolveHome } from '../../../src/main/store/paths.js';
import { tempDir } from './temp-db.js';

describe('home layout', () => {
  it('places the database and run files under home', () => {
    const home = tempDir();
    const p = homePaths(home);
    expect(p.db).toBe(join(home, 'gan-focus.db'));
    expect(p.runs).toBe(join(home, 'runs'));
    expect(p.runDir(7)).toBe(join(home, 'runs', '7'));
    expect(existsSync(p.runDir(7))).toBe(false);
  });

  it('creates checkpoint and grid folders when asked for them', () => {
    const home = tempDir();
    const p = homePaths(home);
    const dir = p.checkpointDir(7, 3);
    expect(dir).toBe(join(home, 'runs', '7', 'checkpoints', 'epoch-003'));
    expect(statSync(dir).isDirectory()).toBe(true);
    const grid = p.gridPath(7, 12);
    expect(grid).toBe(join(home, 'runs', '7', 'grids', 'epoch-012.png'));
    expect(statSync(dirname(grid)).isDirectory()).toBe(true);
  });

  it('converts between absolute and stored (home-relative) paths, refusing ones outside home', () => {
    const home = tempDir();
    const p = homePaths(home);
    const grid = p.gridPath(2, 1);
    expect(p.toStored(grid)).toBe('runs/2/grids/epoch-001.png');
    expect(p.fromStored('runs/2/grids/epoch-001.png')).toBe(grid);
    expect(() => p.toStored(join(home, '..', 'elsewhere.png'))).toThrow('is not inside the home folder');
    expect(() => p.fromStored('../../etc/passwd')).toThrow("must be relative to the home folder, using '/' and no '..'");
    expect(() => p.fromStored('/etc/passwd')).toThrow('must be relative to the home folder');
  });
});

describe('resolveHome', () => {
  it('prefers the flag, then GAN_FOCUS_HOME, then ~/.gan-focus', () => {
    expect(resolveHome('some/dir', { GAN_FOCUS_HOME: '/env/home' })).toBe(resolve('some/dir'));
    expect(resolveHome(undefined, { GAN_FOCUS_HOME: '/env/home' })).toBe(resolve('/env/home'));
    expect(resolveHome('', { GAN_FOCUS_HOME: '' })).toBe(join(homedir(), '.gan-focus'));
    expect(resolveHome('~/gf', {})).toBe(join(homedir(), 'gf'));
  });
});
