// Driving pages with the keyboard alone (page.keyboard: Tab, Shift+Tab, Enter, Space, arrow
// keys, typing), as someone who cannot use a mouse does. Reading the page to know where the
// focus is, is fine; clicking is not. Every focus stop is checked for a visible focus ring.
import { assert } from './checks.mjs';
import { navigates } from './visit.mjs';

// What the focused element is, and whether its focus can be seen (an outline or a shadow).
async function focused(page, selector) {
    return page.evaluate((sel) => {
        const el = document.activeElement;
        if (!el || el === document.body) return { none: true };
        const cs = getComputedStyle(el);
        const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
        const name = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.getAttribute('href') ? `[href="${el.getAttribute('href')}"]` : ''}`;
        return { matches: el.matches(sel), ring, name };
    }, selector);
}

// A keyboard user on a page: tabs to what they need, noting focus stops without a visible
// focus indicator (checked at the end with assertFocusVisible).
export class Keyboard {
    constructor(page) {
        this.page = page;
        this.unseen = new Set();
        // a file input opens the chooser from the keyboard; Playwright catches it only while
        // someone listens, so listen from the start
        page.on('filechooser', () => {});
    }

    // Presses Tab (Shift+Tab when back) until the focus is on an element matching selector
    // (none if it is there already, as on a field with autofocus).
    async tabTo(selector, { back = false, max = 200 } = {}) {
        if ((await focused(this.page, selector)).matches) return;
        for (let i = 0; i < max; i++) {
            await this.page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
            const f = await focused(this.page, selector);
            if (f.none) continue;
            if (!f.ring) this.unseen.add(`${f.name} on ${new URL(this.page.url()).pathname}`);
            if (f.matches) return;
        }
        throw new Error(`${selector} was not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'} on ${this.page.url()}`);
    }

    async type(text) {
        await this.page.keyboard.type(text, { delay: 0 });
    }

    // Tabs to a field and types into it.
    async fill(selector, text) {
        await this.tabTo(selector);
        await this.type(text);
    }

    // In a radio group (the focus on one of its radios): arrow keys until `selector` is the
    // focused and checked one.
    async chooseRadio(selector, max = 10) {
        for (let i = 0; i < max; i++) {
            const ok = await this.page.evaluate((sel) => document.activeElement.matches(sel), selector);
            if (ok) {
                if (!(await this.page.evaluate(() => document.activeElement.checked))) await this.page.keyboard.press('Space');
                return;
            }
            await this.page.keyboard.press('ArrowDown');
        }
        throw new Error(`the arrow keys never reached ${selector}`);
    }

    // In a focused select: arrow keys until its value is `value`.
    async chooseOption(value, max = 300) {
        for (let i = 0; i < max; i++) {
            if (await this.page.evaluate(() => document.activeElement.value) === value) return;
            await this.page.keyboard.press('ArrowDown');
        }
        throw new Error(`the arrow keys never reached the option ${value}`);
    }

    // With the focus on a file input: Space opens the chooser, which gets `files`.
    async chooseFiles(files) {
        const [chooser] = await Promise.all([this.page.waitForEvent('filechooser'), this.page.keyboard.press('Space')]);
        await chooser.setFiles(files);
    }

    // Presses a key that leads to another page; checks its status.
    async go(key = 'Enter', status = 200) {
        return navigates(this.page, () => this.page.keyboard.press(key), status);
    }

    assertFocusVisible() {
        assert(this.unseen.size === 0, `focus stops without a visible focus indicator:\n${[...this.unseen].join('\n')}`);
    }
}
