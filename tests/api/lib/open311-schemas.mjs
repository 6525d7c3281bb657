// akar's JSON Schemas of Open311 GeoReport v2 answers, written from the specification: the
// members the official schemas require, with their types, plus what the specification states in
// words (the enums, W3C date-times with a zone, the 4,000-character description, positive
// attribute orders) and additionalProperties: false, since an answer may name no member the
// specification does not (a reporter's name or telephone would otherwise pass unnoticed).

const text = { type: 'string' };
const textOrNull = { type: ['string', 'null'] };
// RFC 3339 date-time: a zone is mandatory, as the specification wants of W3C date-times
const when = { type: 'string', format: 'date-time' };
const whenOrNull = { anyOf: [when, { type: 'null' }] };

const service = {
    type: 'object',
    required: ['service_code', 'service_name', 'metadata', 'type'],
    additionalProperties: false,
    properties: {
        service_code: { type: 'string', minLength: 1 },
        service_name: { type: 'string', minLength: 1 },
        description: textOrNull,
        metadata: { type: 'boolean' },
        type: { enum: ['realtime', 'batch', 'blackbox'] },
        keywords: textOrNull,
        group: textOrNull,
    },
};

const value = {
    type: 'object', required: ['key', 'name'], additionalProperties: false,
    properties: { key: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
};

const attribute = {
    type: 'object',
    required: ['variable', 'code', 'datatype', 'required', 'order'],
    additionalProperties: false,
    properties: {
        variable: { type: 'boolean' },
        code: { type: 'string', minLength: 1 },
        datatype: { enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] },
        required: { type: 'boolean' },
        datatype_description: textOrNull,
        order: { type: 'integer', minimum: 1 },
        description: textOrNull,
        values: { type: 'array', items: value },
    },
    // a list type offers its values; other types offer none
    if: { properties: { datatype: { enum: ['singlevaluelist', 'multivaluelist'] } } },
    then: { required: ['values'], properties: { values: { minItems: 1 } } },
    else: { not: { required: ['values'] } },
};

const request = {
    type: 'object',
    required: ['service_request_id', 'status', 'service_code', 'requested_datetime'],
    additionalProperties: false,
    properties: {
        service_request_id: { type: 'string', minLength: 1 },
        status: { enum: ['open', 'closed'] },
        status_notes: textOrNull,
        service_name: textOrNull,
        service_code: { type: 'string', minLength: 1 },
        description: { type: ['string', 'null'], maxLength: 4000 },
        agency_responsible: textOrNull,
        service_notice: textOrNull,
        requested_datetime: when,
        updated_datetime: whenOrNull,
        expected_datetime: whenOrNull,
        address: textOrNull,
        address_id: textOrNull,
        zipcode: textOrNull,
        lat: { type: ['number', 'null'], minimum: -90, maximum: 90 },
        long: { type: ['number', 'null'], minimum: -180, maximum: 180 },
        media_url: textOrNull,
    },
};

export const schemas = {
    discovery: {
        type: 'object',
        required: ['changeset', 'contact', 'key_service', 'endpoints'],
        additionalProperties: false,
        properties: {
            changeset: when,
            contact: text,
            key_service: text,
            endpoints: {
                type: 'array', minItems: 1,
                items: {
                    type: 'object',
                    required: ['specification', 'url', 'changeset', 'type', 'formats'],
                    additionalProperties: false,
                    properties: {
                        specification: { const: 'http://wiki.open311.org/GeoReport_v2' },
                        url: { type: 'string', format: 'uri' },
                        changeset: when,
                        type: { enum: ['production', 'test'] },
                        formats: { type: 'array', minItems: 1, items: { enum: ['text/xml', 'application/json'] } },
                    },
                },
            },
        },
    },
    services: { type: 'array', items: service },
    definition: {
        type: 'object',
        required: ['service_code', 'attributes'],
        additionalProperties: false,
        properties: { service_code: { type: 'string', minLength: 1 }, attributes: { type: 'array', items: attribute } },
    },
    requests: { type: 'array', items: request },
    // POST requests: one entry, with the id (akar's services are realtime) and never a token
    posted: {
        type: 'array', minItems: 1, maxItems: 1,
        items: {
            type: 'object', required: ['service_request_id'], additionalProperties: false,
            properties: { service_request_id: { type: 'string', minLength: 1 }, service_notice: textOrNull, account_id: textOrNull },
        },
    },
    tokens: {
        type: 'array', minItems: 1,
        items: {
            type: 'object', required: ['service_request_id', 'token'], additionalProperties: false,
            properties: { service_request_id: { type: 'string', minLength: 1 }, token: { type: 'string', minLength: 1 } },
        },
    },
    errors: {
        type: 'array', minItems: 1,
        items: {
            type: 'object', required: ['code', 'description'], additionalProperties: false,
            properties: { code: { type: ['integer', 'string'] }, description: { type: 'string', minLength: 1 } },
        },
    },
};
