#!/usr/bin/env node
// Lints the OpenAPI document (src/api/openapi.json) with Redocly CLI and its recommended rules
// (redocly.yaml; the problems that are not problems here are listed, with the reason, in
// .redocly.lint-ignore.yaml). Prints "PASS name" or "FAIL name" for scripts/run-tests --lines:
// an error fails; warnings are shown and fail too, so that the document stays clean.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const redocly = join(here, 'node_modules', '.bin', 'redocly');
const r = spawnSync(redocly, ['lint', '--config', 'redocly.yaml', '--format', 'json', '../../src/api/openapi.json'], {
    cwd: here, encoding: 'utf8', timeout: 120000,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
const name = 'openapi: redocly lint src/api/openapi.json (recommended rules)';
let report;
try {
    report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
} catch {
    console.log(`FAIL ${name}`);
    console.log(`    redocly gave no report (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${(r.stderr || '').trim().slice(0, 2000)}`);
    process.exit(0);
}
const problems = report.problems || [];
if (!problems.length && r.status === 0) {
    console.log(`PASS ${name}`);
} else {
    console.log(`FAIL ${name}`);
    for (const p of problems.slice(0, 40)) {
        const at = (p.location || []).map((l) => l.pointer).join(', ');
        console.log(`    ${p.severity} ${p.ruleId}: ${p.message} (${at})`);
    }
    if (!problems.length) console.log(`    redocly exited ${r.status}: ${(r.stderr || '').trim().slice(0, 2000)}`);
}
