// The OpenAPI document as a checker of real exchanges: finds the operation of a method and a
// path, picks the response documented for a status, and checks the content type, the headers
// marked required and the body (Ajv, JSON Schema 2020-12, as OpenAPI 3.1 has it) against it.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const BASE = 'https://akar.invalid/openapi/schemas';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

// The value at a local JSON pointer of doc ("#/components/responses/NotFound").
function pointer(doc, ref) {
    if (!ref.startsWith('#/')) throw new Error(`only local references are used: ${ref}`);
    return ref.slice(2).split('/').reduce((v, k) => {
        const key = k.replace(/~1/g, '/').replace(/~0/g, '~');
        if (v === undefined || !(key in v)) throw new Error(`dangling reference ${ref}`);
        return v[key];
    }, doc);
}

// A copy of a schema whose references to #/components/schemas/X point into the schema set
// registered under BASE, so that Ajv resolves them wherever the schema sits in the document.
function rebase(schema) {
    if (Array.isArray(schema)) return schema.map(rebase);
    if (!schema || typeof schema !== 'object') return schema;
    const out = {};
    for (const [k, v] of Object.entries(schema)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/'))
            out[k] = `${BASE}#/$defs/${v.slice('#/components/schemas/'.length)}`;
        else out[k] = rebase(v);
    }
    return out;
}

// The media type without parameters, lower case ("application/json; charset=utf-8" → ...).
export function mediaType(value) {
    return (value || '').split(';')[0].trim().toLowerCase();
}

export class Contract {
    constructor(doc) {
        this.doc = doc;
        // strict, but a schema may require a member that a schema it extends (allOf) defines
        this.ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true, allErrors: true });
        addFormats(this.ajv);
        this.ajv.addSchema({ $id: BASE, $defs: rebase(doc.components?.schemas || {}) });
        this.compiled = new Map();
        this.operations = [];
        for (const [template, item] of Object.entries(doc.paths || {})) {
            const names = [];
            const source = template.split('/').map((seg) => {
                const m = seg.match(/^\{([^}]+)\}$/);
                if (m) {
                    names.push(m[1]);
                    return '([^/]+)';
                }
                return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            }).join('/');
            for (const method of METHODS)
                if (item[method])
                    this.operations.push({ method: method.toUpperCase(), template, names,
                                           regex: new RegExp(`^${source}$`), op: item[method] });
        }
        // a literal segment wins over a parameter, as the router's routes are listed
        this.operations.sort((a, b) => a.names.length - b.names.length);
    }

    resolve(v) {
        while (v && v.$ref) v = pointer(this.doc, v.$ref);
        return v;
    }

    // The operation documented for method and path (without query), or undefined.
    find(method, path) {
        return this.operations.find((o) => o.method === method && o.regex.test(path));
    }

    // Every operation as "METHOD template".
    list() {
        return this.operations.map((o) => `${o.method} ${o.template}`);
    }

    validator(schema) {
        let v = this.compiled.get(schema);
        if (!v) {
            v = this.ajv.compile(rebase(schema));
            this.compiled.set(schema, v);
        }
        return v;
    }

    // Problems of value against schema (a schema of the document), as text; [] if it holds.
    validate(schema, value) {
        const v = this.validator(schema);
        if (v(value)) return [];
        return v.errors.slice(0, 8).map((e) => `${e.instancePath || '(body)'} ${e.message}` +
            (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));
    }

    // Problems of a request sent as valid: each query parameter must be one the operation
    // lists, of its schema (numbers and booleans read from their text), and a JSON body must
    // hold to the operation's requestBody. target is the path with its query.
    checkRequest(method, target, contentType, body) {
        const [path, query] = target.split('?');
        const found = this.find(method, path);
        if (!found) return [`${method} ${path} is not documented`];
        const list = [];
        const params = (found.op.parameters || []).map((p) => this.resolve(p)).filter((p) => p.in === 'query');
        for (const [name, text] of new URLSearchParams(query || '')) {
            const p = params.find((x) => x.name === name);
            if (!p) {
                list.push(`query parameter ${name} is not documented for ${method} ${found.template}`);
                continue;
            }
            const type = this.resolve(p.schema)?.type;
            const value = (type === 'integer' || type === 'number') && /^-?[0-9.]+$/.test(text) ? Number(text)
                : type === 'boolean' && /^(true|false)$/.test(text) ? text === 'true' : text;
            list.push(...this.validate(p.schema, value).map((e) => `query parameter ${name}: ${e}`));
        }
        if (body === undefined) return list;
        const rb = this.resolve(found.op.requestBody);
        const media = rb?.content?.[mediaType(contentType)];
        if (!media) return [...list, `the request's ${contentType} is not documented for ${method} ${found.template}`];
        return [...list, ...this.validate(media.schema, body).map((p) => `request ${p}`)];
    }

    // Problems of a response (status, headers: lower-cased names, text, raw bytes) to method
    // and path; also returns the operation's template and whether the status was documented.
    checkResponse(method, path, res) {
        const problems = [];
        const found = this.find(method, path);
        if (!found) return { problems: [`${method} ${path} is not documented`] };
        const documented = this.resolve(found.op.responses?.[String(res.status)]);
        if (!documented)
            return { template: found.template,
                     problems: [`status ${res.status} is not documented for ${method} ${found.template}` +
                                ` (documented: ${Object.keys(found.op.responses || {}).join(', ')})` +
                                `; body: ${String(res.text).slice(0, 300)}`] };
        for (const [name, h] of Object.entries(documented.headers || {})) {
            const header = this.resolve(h);
            const value = res.headers[name.toLowerCase()];
            if (value === undefined) {
                if (header.required) problems.push(`header ${name} is missing`);
                continue;
            }
            for (const v of Array.isArray(value) ? value : [value])
                problems.push(...this.validate(header.schema, v).map((p) => `header ${name}: ${p}`));
        }
        const content = documented.content || {};
        const type = mediaType(res.headers['content-type']);
        if (!Object.keys(content).length) {
            if (res.bytes.length) problems.push(`a ${res.status} has no body here, but ${res.bytes.length} bytes came`);
            return { template: found.template, problems };
        }
        const media = content[type];
        if (!media) {
            problems.push(`content type ${res.headers['content-type']} is not one of ${Object.keys(content).join(', ')}`);
            return { template: found.template, problems };
        }
        let body;
        if (type === 'application/json' || type.endsWith('+json')) {
            try {
                body = JSON.parse(res.text);
            } catch (e) {
                problems.push(`the body is not JSON: ${e.message}`);
                return { template: found.template, problems };
            }
            if (type === 'application/problem+json' && body && body.status !== res.status)
                problems.push(`the problem's status ${body.status} is not the response's ${res.status}`);
        } else if (type.startsWith('text/') || type.endsWith('+xml')) {
            body = res.text;
        } else {
            // bytes: what the schema can say of them is their presence
            if (!res.bytes.length) problems.push('the body is empty');
            return { template: found.template, problems };
        }
        problems.push(...this.validate(media.schema, body));
        return { template: found.template, problems, body };
    }
}
