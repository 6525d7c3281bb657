// TOTP (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) computed here, independently of the
// server's liboath, from the secret of an otpauth:// URI.
import { createHmac } from 'node:crypto';

// RFC 4648 base32, upper or lower case, padding optional.
export function base32Decode(text) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const clean = text.toUpperCase().replace(/=+$/, '').replace(/\s/g, '');
    let bits = 0, value = 0;
    const out = [];
    for (const ch of clean) {
        const v = alphabet.indexOf(ch);
        if (v < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
        value = (value << 5) | v;
        bits += 5;
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}

// The code for the step that holds instant `ms`; key is the raw secret (a Buffer).
export function totpAt(key, ms, { step = 30, digits = 6 } = {}) {
    const counter = Math.floor(ms / 1000 / step);
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(counter));
    const h = createHmac('sha1', key).update(msg).digest();
    const off = h[h.length - 1] & 0x0f;
    const bin = ((h[off] & 0x7f) << 24) | (h[off + 1] << 16) | (h[off + 2] << 8) | h[off + 3];
    return String(bin % 10 ** digits).padStart(digits, '0');
}

// The secret (raw bytes) of an otpauth://totp/...?secret=BASE32 URI.
export function otpauthSecret(uri) {
    const u = new URL(uri);
    if (u.protocol !== 'otpauth:') throw new Error(`not an otpauth URI: ${uri}`);
    const s = u.searchParams.get('secret');
    if (!s) throw new Error(`otpauth URI without a secret: ${uri}`);
    return base32Decode(s);
}

// A code that is fresh for at least `margin` seconds: if the current step ends sooner, waits
// for the next one, so a slow form does not send a code that has just expired. `after` is a
// step number already used (servers refuse a code twice): waits until a later step.
export async function freshTotp(key, { margin = 5, after = -1 } = {}) {
    for (;;) {
        const now = Date.now();
        const stepNo = Math.floor(now / 30000);
        const left = 30000 - (now % 30000);
        if (stepNo > after && left >= margin * 1000)
            return { code: totpAt(key, now), step: stepNo };
        await new Promise((r) => setTimeout(r, left + 50));
    }
}
