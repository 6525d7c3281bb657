// A demo akar for the node test suites (tests/browser, tests/api): `akar ARGS...` run to
// completion, and a fresh demo database with `akar serve` on a free port of 127.0.0.1. Plain
// node, no packages, so every suite can import it.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Runs `akar ARGS...` to completion; returns its stdout. Throws with stderr on a non-zero exit.
export function akar(bin, args, input) {
    const r = spawnSync(bin, args, { input, encoding: 'utf8', timeout: 60000 });
    if (r.error) throw new Error(`${bin} ${args.join(' ')}: ${r.error.message}`);
    if (r.status !== 0)
        throw new Error(`${bin} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
}

// A fresh database (init --demo) and `akar serve` on 127.0.0.1 with a free port. `before(db)`
// runs between the two (to add accounts while no server holds the database); submitLimit is
// the petitions one address may send per 10 minutes (every test comes from 127.0.0.1, so it is
// high unless a test wants the 429). Returns { url, db, dir, initOutput, extra (what before
// returned), stop() }; the server's stderr and stdout go to logPath.
export async function startServer({ bin, logPath, before, submitLimit = 10000 }) {
    const dir = mkdtempSync(join(tmpdir(), 'akar-test-'));
    const db = join(dir, 'akar.db');
    const initOutput = akar(bin, ['init', '--db', db, '--demo']);
    const extra = before ? await before(db) : undefined;
    const child = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--submit-limit', String(submitLimit)], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logPath);
    child.stderr.pipe(log);
    const lines = createInterface({ input: child.stdout });
    const url = await new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error('akar serve printed no URL in 15 s')), 15000);
        child.once('exit', (code) => fail(new Error(`akar serve exited ${code} before serving (see ${logPath})`)));
        child.once('error', fail);
        lines.once('line', (line) => {
            clearTimeout(timer);
            const m = line.match(/https?:\/\/[^\s]+/);
            m ? ok(m[0].replace(/\/$/, '')) : fail(new Error(`no URL in "${line}"`));
        });
    });
    lines.on('line', (l) => log.write(`stdout: ${l}\n`));
    return {
        url, db, dir, initOutput, extra,
        async stop() {
            if (child.exitCode === null) {
                const done = new Promise((r) => child.once('exit', r));
                child.kill('SIGTERM');
                const t = setTimeout(() => child.kill('SIGKILL'), 10000);
                await done;
                clearTimeout(t);
            }
            log.end();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}
