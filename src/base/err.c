/* Text for the result codes of err.h. */
#include "base/err.h"

const char *akar_strerror(int rc)
{
    switch (rc) {
    case AKAR_OK:
        return "ok";
    case AKAR_EINVAL:
        return "invalid input";
    case AKAR_ENOTFOUND:
        return "not found";
    case AKAR_EEXIST:
        return "already exists";
    case AKAR_ECONFLICT:
        return "conflict";
    case AKAR_EDENIED:
        return "permission denied";
    case AKAR_ESTORE:
        return "store failure";
    case AKAR_EIO:
        return "input/output failure";
    case AKAR_ETOONEW:
        return "database written by a newer akar";
    case AKAR_ECRYPTO:
        return "cryptographic failure";
    case AKAR_ESHUTDOWN:
        return "shutting down";
    default:
        return "unknown error";
    }
}
