/* QR codes for receipts: libqrencode computes the modules, and they are drawn as one SVG path
 * (a run of dark modules in a row is one rectangle), so the image is inline markup that prints
 * sharply and needs no request of its own. */
#include "web/resident.h"

#include "base/arena.h"
#include "base/buf.h"

#include <qrencode.h>

#define QUIET 4 /* modules of light margin around the symbol, as the standard asks */

const char *web_qr_svg(struct arena *a, const char *text, const char *label)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    int w = q->width, side = w + 2 * QUIET;
    struct buf b = {0};
    html_fmt(&b,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" "
             "aria-label=\"%s\" shape-rendering=\"crispEdges\">"
             "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
             side, side, label, side, side);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w;) {
            if (!(q->data[y * w + x] & 1)) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (q->data[y * w + x + run] & 1))
                run++;
            buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
            x += run;
        }
    buf_puts(&b, "\"/></svg>");
    QRcode_free(q);
    const char *out = arena_strdup(a, b.data);
    buf_release(&b);
    return out;
}
