/* Result codes shared by every layer: 0 is success, a negative enum akar_err is a failure. */
#ifndef AKAR_BASE_ERR_H
#define AKAR_BASE_ERR_H

enum akar_err {
    AKAR_OK = 0,
    AKAR_EINVAL = -1,    /* the input is malformed or breaks a rule */
    AKAR_ENOTFOUND = -2, /* the thing named does not exist */
    AKAR_EEXIST = -3,    /* the thing to create exists already */
    AKAR_ECONFLICT = -4, /* the record changed, or the transition is not allowed now */
    AKAR_EDENIED = -5,   /* the actor may not do this */
    AKAR_ESTORE = -6,    /* the store failed (I/O, corruption, busy beyond limits) */
    AKAR_EIO = -7,       /* a file or socket failed */
    AKAR_ETOONEW = -8,   /* the database was written by a newer akar */
    AKAR_ECRYPTO = -9,   /* a cryptographic primitive failed */
    AKAR_ESHUTDOWN = -10 /* the component is stopping and takes no more work */
};

/* A short English description of rc; never NULL. */
const char *akar_strerror(int rc);

#endif
