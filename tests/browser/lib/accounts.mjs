// The accounts the tests sign in with: the demo accounts `akar init --demo` lists, and one
// account per journey added with `akar user add` (so no two journeys share a TOTP step), each
// with its TOTP secret from the otpauth:// URI the command prints.
import { akar, otpauthUris } from './harness.mjs';
import { otpauthSecret } from './totp.mjs';

// login → the `akar user add` arguments; the password is the same for all.
export const PASSWORD = 'browser-test-pass-2026';
const ADDED = {
    'browser.handler': { unit: '586.01', role: 'handler' },   // the mouse journey
    'browser.keyboard': { unit: '586.01', role: 'handler' },  // the keyboard journey
    'browser.pages': { unit: '586.01', role: 'handler' },     // the page checks
    'browser.api': { unit: '586.01', role: 'handler' },       // cases moved on through the API
    'browser.enrol': { unit: '586.01', role: 'handler' },     // never signs in: the enrolment page
    'browser.leader': { unit: '586.01', role: 'leader' },     // the dashboard
    'browser.desk': { unit: '586.01', role: 'receptionist' }, // the reception desk
    'browser.resident': { unit: '586.01.01', role: 'resident' },
};

// Adds the accounts to a database no server holds yet. Returns { accounts(initOutput) }, which
// merges them with the demo accounts of init's output: login → { login, password, role, unit,
// totp (the raw secret, or null), error (why the account is missing, if it is) }.
export function addAccounts(bin, db) {
    const added = {};
    for (const [login, a] of Object.entries(ADDED)) {
        try {
            const out = akar(bin, ['user', 'add', '--db', db, '--login', login, '--unit', a.unit, '--role', a.role], `${PASSWORD}\n`);
            const uri = Object.values(otpauthUris(out))[0];
            added[login] = { login, password: PASSWORD, ...a, totp: uri ? otpauthSecret(uri) : null, uri };
        } catch (e) {
            added[login] = { login, ...a, error: e.message };
        }
    }
    return {
        accounts(initOutput) {
            const all = {};
            const uris = otpauthUris(initOutput);
            // the table: login, role, unit, password (and maybe the TOTP secret)
            for (const m of initOutput.matchAll(/^\s+([a-z][\w.]*)\s+([a-z_]+)\s+([\d.]+)\s+(\S+)(?:\s+\S+)?\s*$/gm)) {
                const [, login, role, unit, password] = m;
                all[login] = { login, role, unit, password, totp: uris[login] ? otpauthSecret(uris[login]) : null, uri: uris[login] };
            }
            return { ...all, ...added };
        },
    };
}

// The account, or a clear error naming why it is not there.
export function account(shared, login) {
    const a = shared.accounts[login];
    if (!a) throw new Error(`no account ${login} (neither in init --demo's list nor added)`);
    if (a.error) throw new Error(`account ${login} could not be added: ${a.error}`);
    return a;
}
