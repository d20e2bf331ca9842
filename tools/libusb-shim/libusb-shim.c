/*
 * libusb-shim: a stand-in for libusb-1.0 that an unmodified USB host program (Debian's dfu-util 0.11) loads
 * with LD_PRELOAD. Every call is answered by `emboard usb-serve` over a Unix socket (EMBOARD_USB), whose
 * emulated devices (the STM32 DFU bootloader, ...) then look like devices on a real bus.
 *
 * Written for emboard from the libusb-1.0 public API documentation: the function signatures, the
 * descriptor structs and the error codes below are the libusb-1.0 ABI (x86-64/aarch64 Linux), declared
 * here because the shim must not depend on libusb's headers or library. The wire protocol is described in
 * docs/usb-serve.md; keep the two in step.
 *
 * Only the libusb functions dfu-util 0.11 imports are needed (objdump -T /usr/bin/dfu-util), plus a few
 * common ones a similar tool would call first. Everything is synchronous: one request, one answer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

/* ---- libusb-1.0 ABI (public API) ------------------------------------------------------------------- */

enum {
  LIBUSB_SUCCESS = 0,
  LIBUSB_ERROR_IO = -1,
  LIBUSB_ERROR_INVALID_PARAM = -2,
  LIBUSB_ERROR_ACCESS = -3,
  LIBUSB_ERROR_NO_DEVICE = -4,
  LIBUSB_ERROR_NOT_FOUND = -5,
  LIBUSB_ERROR_BUSY = -6,
  LIBUSB_ERROR_TIMEOUT = -7,
  LIBUSB_ERROR_OVERFLOW = -8,
  LIBUSB_ERROR_PIPE = -9,
  LIBUSB_ERROR_INTERRUPTED = -10,
  LIBUSB_ERROR_NO_MEM = -11,
  LIBUSB_ERROR_NOT_SUPPORTED = -12,
  LIBUSB_ERROR_OTHER = -99,
};

struct libusb_device_descriptor {
  uint8_t bLength;
  uint8_t bDescriptorType;
  uint16_t bcdUSB;
  uint8_t bDeviceClass;
  uint8_t bDeviceSubClass;
  uint8_t bDeviceProtocol;
  uint8_t bMaxPacketSize0;
  uint16_t idVendor;
  uint16_t idProduct;
  uint16_t bcdDevice;
  uint8_t iManufacturer;
  uint8_t iProduct;
  uint8_t iSerialNumber;
  uint8_t bNumConfigurations;
};

struct libusb_endpoint_descriptor {
  uint8_t bLength;
  uint8_t bDescriptorType;
  uint8_t bEndpointAddress;
  uint8_t bmAttributes;
  uint16_t wMaxPacketSize;
  uint8_t bInterval;
  uint8_t bRefresh;
  uint8_t bSynchAddress;
  const unsigned char *extra;
  int extra_length;
};

struct libusb_interface_descriptor {
  uint8_t bLength;
  uint8_t bDescriptorType;
  uint8_t bInterfaceNumber;
  uint8_t bAlternateSetting;
  uint8_t bNumEndpoints;
  uint8_t bInterfaceClass;
  uint8_t bInterfaceSubClass;
  uint8_t bInterfaceProtocol;
  uint8_t iInterface;
  const struct libusb_endpoint_descriptor *endpoint;
  const unsigned char *extra;
  int extra_length;
};

struct libusb_interface {
  const struct libusb_interface_descriptor *altsetting;
  int num_altsetting;
};

struct libusb_config_descriptor {
  uint8_t bLength;
  uint8_t bDescriptorType;
  uint16_t wTotalLength;
  uint8_t bNumInterfaces;
  uint8_t bConfigurationValue;
  uint8_t iConfiguration;
  uint8_t bmAttributes;
  uint8_t MaxPower;
  const struct libusb_interface *interface;
  const unsigned char *extra;
  int extra_length;
};

struct libusb_version {
  const uint16_t major;
  const uint16_t minor;
  const uint16_t micro;
  const uint16_t nano;
  const char *rc;
  const char *describe;
};

/* Opaque to callers: our own layouts. */
typedef struct libusb_context {
  int refs;
} libusb_context;

#define MAX_PORTS 7

typedef struct libusb_device {
  int refs;
  uint32_t id; /* the server's device id; a re-enumerated device gets a new one */
  uint8_t bus, address, nports;
  uint8_t ports[MAX_PORTS];
  struct libusb_device_descriptor desc;
  uint8_t nconfigs;
  uint8_t **config_raw; /* each the full configuration bundle (wTotalLength bytes) */
  uint16_t *config_len;
} libusb_device;

typedef struct libusb_device_handle {
  uint32_t handle;
  libusb_device *dev;
} libusb_device_handle;

/* ---- transport ------------------------------------------------------------------------------------- */

/* Request opcodes and protocol version: docs/usb-serve.md. */
enum {
  OP_HELLO = 1,
  OP_LIST = 2,
  OP_OPEN = 3,
  OP_CLOSE = 4,
  OP_CLAIM = 5,
  OP_RELEASE = 6,
  OP_SET_ALT = 7,
  OP_CONTROL = 8,
  OP_RESET = 9,
};
#define PROTOCOL_VERSION 1
#define MAX_FRAME (1u << 20)

static libusb_context default_ctx;
static int sock = -1;
static int init_refs;

static void put16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, v);
  put16(p + 2, v >> 16);
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return get16(p) | ((uint32_t)get16(p + 2) << 16); }

static void lost(void) {
  fprintf(stderr, "libusb-shim: lost the connection to emboard usb-serve\n");
  close(sock);
  sock = -1;
}

static int write_all(const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(sock, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t r = recv(sock, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/*
 * One exchange: sends [u32 length][u8 op][payload], receives [u32 length][i32 result][payload].
 * Returns the result, with *reply (malloc'ed, caller frees) and *reply_len holding the payload;
 * LIBUSB_ERROR_NO_DEVICE when the server is gone.
 */
static int call(uint8_t op, const uint8_t *payload, size_t len, uint8_t **reply, size_t *reply_len) {
  uint8_t head[5];
  uint8_t rhead[8];
  uint32_t rlen;
  uint8_t *body = NULL;
  if (reply) *reply = NULL;
  if (reply_len) *reply_len = 0;
  if (sock < 0) return LIBUSB_ERROR_NO_DEVICE;
  put32(head, (uint32_t)(len + 1));
  head[4] = op;
  if (write_all(head, sizeof head) || (len && write_all(payload, len)) || read_all(rhead, sizeof rhead)) {
    lost();
    return LIBUSB_ERROR_NO_DEVICE;
  }
  rlen = get32(rhead);
  if (rlen < 4 || rlen > MAX_FRAME) {
    lost();
    return LIBUSB_ERROR_NO_DEVICE;
  }
  rlen -= 4;
  if (rlen) {
    body = malloc(rlen);
    if (!body || read_all(body, rlen)) {
      free(body);
      lost();
      return LIBUSB_ERROR_NO_DEVICE;
    }
  }
  if (reply) {
    *reply = body;
    *reply_len = rlen;
  } else {
    free(body);
  }
  return (int32_t)get32(rhead + 4);
}

/* EMBOARD_USB, else the server's default: $XDG_RUNTIME_DIR/emboard-usb.sock or /tmp/emboard-usb-UID.sock. */
static void socket_path(char *out, size_t size) {
  const char *env = getenv("EMBOARD_USB");
  const char *run = getenv("XDG_RUNTIME_DIR");
  if (env && *env)
    snprintf(out, size, "%s", env);
  else if (run && *run)
    snprintf(out, size, "%s/emboard-usb.sock", run);
  else
    snprintf(out, size, "/tmp/emboard-usb-%u.sock", (unsigned)getuid());
}

static int connect_server(void) {
  struct sockaddr_un sa;
  char path[sizeof sa.sun_path + 64];
  uint8_t hello[4];
  int r;
  socket_path(path, sizeof path);
  if (strlen(path) >= sizeof sa.sun_path) {
    fprintf(stderr, "libusb-shim: socket path too long: %s\n", path);
    return LIBUSB_ERROR_INVALID_PARAM;
  }
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path, strlen(path));
  sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof sa) < 0) {
    fprintf(stderr, "libusb-shim: cannot connect to emboard usb-serve at %s: %s (start `emboard usb-serve` or set EMBOARD_USB)\n",
            path, strerror(errno));
    if (sock >= 0) close(sock);
    sock = -1;
    return LIBUSB_ERROR_IO;
  }
  put32(hello, PROTOCOL_VERSION);
  r = call(OP_HELLO, hello, sizeof hello, NULL, NULL);
  if (r < 0) {
    fprintf(stderr, "libusb-shim: %s does not speak protocol version %d\n", path, PROTOCOL_VERSION);
    if (sock >= 0) close(sock);
    sock = -1;
    return LIBUSB_ERROR_IO;
  }
  return LIBUSB_SUCCESS;
}

/* ---- library lifetime -------------------------------------------------------------------------------- */

API int libusb_init(libusb_context **ctx) {
  if (init_refs == 0) {
    int r = connect_server();
    if (r < 0) return r;
  }
  init_refs++;
  default_ctx.refs = init_refs;
  if (ctx) *ctx = &default_ctx;
  return LIBUSB_SUCCESS;
}

API void libusb_exit(libusb_context *ctx) {
  (void)ctx;
  if (init_refs == 0) return;
  if (--init_refs == 0 && sock >= 0) {
    close(sock);
    sock = -1;
  }
  default_ctx.refs = init_refs;
}

/* Logging options are accepted and ignored (dfu-util 0.11 even passes its arguments shifted by one). */
API int libusb_set_option(libusb_context *ctx, int option, ...) {
  (void)ctx;
  (void)option;
  return LIBUSB_SUCCESS;
}

API void libusb_set_debug(libusb_context *ctx, int level) {
  (void)ctx;
  (void)level;
}

static const struct libusb_version version = {1, 0, 26, 0, "", "emboard libusb-shim"};

API const struct libusb_version *libusb_get_version(void) { return &version; }

API int libusb_handle_events(libusb_context *ctx) {
  (void)ctx;
  return LIBUSB_SUCCESS;
}

static const char *const error_names[] = {
    "LIBUSB_SUCCESS",          "LIBUSB_ERROR_IO",        "LIBUSB_ERROR_INVALID_PARAM", "LIBUSB_ERROR_ACCESS",
    "LIBUSB_ERROR_NO_DEVICE",  "LIBUSB_ERROR_NOT_FOUND", "LIBUSB_ERROR_BUSY",          "LIBUSB_ERROR_TIMEOUT",
    "LIBUSB_ERROR_OVERFLOW",   "LIBUSB_ERROR_PIPE",      "LIBUSB_ERROR_INTERRUPTED",   "LIBUSB_ERROR_NO_MEM",
    "LIBUSB_ERROR_NOT_SUPPORTED",
};

static const char *const error_texts[] = {
    "Success",         "Input/Output Error", "Invalid parameter", "Access denied (insufficient permissions)",
    "No such device (it may have been disconnected)", "Entity not found", "Resource busy", "Operation timed out",
    "Overflow",        "Pipe error",         "System call interrupted (perhaps due to signal)",
    "Insufficient memory", "Operation not supported or unimplemented on this platform",
};

API const char *libusb_error_name(int code) {
  if (code <= 0 && code >= LIBUSB_ERROR_NOT_SUPPORTED) return error_names[-code];
  if (code == LIBUSB_ERROR_OTHER) return "LIBUSB_ERROR_OTHER";
  return code > 0 ? "LIBUSB_TRANSFER_COMPLETED" : "**UNKNOWN**";
}

API const char *libusb_strerror(int code) {
  if (code <= 0 && code >= LIBUSB_ERROR_NOT_SUPPORTED) return error_texts[-code];
  return "Other error";
}

/* ---- device list ------------------------------------------------------------------------------------- */

static void free_device(libusb_device *dev) {
  for (int i = 0; i < dev->nconfigs; i++) free(dev->config_raw[i]);
  free(dev->config_raw);
  free(dev->config_len);
  free(dev);
}

API libusb_device *libusb_ref_device(libusb_device *dev) {
  dev->refs++;
  return dev;
}

API void libusb_unref_device(libusb_device *dev) {
  if (dev && --dev->refs == 0) free_device(dev);
}

/* Parses one LIST entry (layout in docs/usb-serve.md); returns its length or 0 if malformed. */
static size_t parse_device(const uint8_t *p, size_t n, libusb_device **out) {
  size_t off;
  libusb_device *dev;
  if (n < 8) return 0;
  dev = calloc(1, sizeof *dev);
  if (!dev) return 0;
  dev->refs = 1;
  dev->id = get32(p);
  dev->bus = p[4];
  dev->address = p[5];
  dev->nports = p[6] > MAX_PORTS ? MAX_PORTS : p[6];
  off = 7;
  if (n < off + p[6] + 1 + 18) goto bad;
  memcpy(dev->ports, p + off, dev->nports);
  off += p[6];
  {
    const uint8_t *d = p + off;
    dev->desc.bLength = d[0];
    dev->desc.bDescriptorType = d[1];
    dev->desc.bcdUSB = get16(d + 2);
    dev->desc.bDeviceClass = d[4];
    dev->desc.bDeviceSubClass = d[5];
    dev->desc.bDeviceProtocol = d[6];
    dev->desc.bMaxPacketSize0 = d[7];
    dev->desc.idVendor = get16(d + 8);
    dev->desc.idProduct = get16(d + 10);
    dev->desc.bcdDevice = get16(d + 12);
    dev->desc.iManufacturer = d[14];
    dev->desc.iProduct = d[15];
    dev->desc.iSerialNumber = d[16];
    dev->desc.bNumConfigurations = d[17];
    off += 18;
  }
  dev->nconfigs = p[off++];
  dev->config_raw = calloc(dev->nconfigs ? dev->nconfigs : 1, sizeof *dev->config_raw);
  dev->config_len = calloc(dev->nconfigs ? dev->nconfigs : 1, sizeof *dev->config_len);
  if (!dev->config_raw || !dev->config_len) goto bad;
  for (int i = 0; i < dev->nconfigs; i++) {
    uint16_t len;
    if (n < off + 2) goto bad;
    len = get16(p + off);
    off += 2;
    if (n < off + len) goto bad;
    dev->config_raw[i] = malloc(len ? len : 1);
    if (!dev->config_raw[i]) goto bad;
    memcpy(dev->config_raw[i], p + off, len);
    dev->config_len[i] = len;
    off += len;
  }
  *out = dev;
  return off;
bad:
  free_device(dev);
  return 0;
}

API ssize_t libusb_get_device_list(libusb_context *ctx, libusb_device ***list) {
  uint8_t *reply;
  size_t len, off = 0;
  int count = call(OP_LIST, NULL, 0, &reply, &len);
  libusb_device **devs;
  (void)ctx;
  if (count < 0) {
    /* The server went away: an empty bus, as libusb reports when nothing is plugged in. */
    count = 0;
  }
  devs = calloc((size_t)count + 1, sizeof *devs);
  if (!devs) {
    free(reply);
    return LIBUSB_ERROR_NO_MEM;
  }
  for (int i = 0; i < count; i++) {
    size_t used = parse_device(reply + off, len - off, &devs[i]);
    if (!used) {
      for (int j = 0; j < i; j++) libusb_unref_device(devs[j]);
      free(devs);
      free(reply);
      return LIBUSB_ERROR_IO;
    }
    off += used;
  }
  free(reply);
  *list = devs;
  return count;
}

API void libusb_free_device_list(libusb_device **list, int unref_devices) {
  if (!list) return;
  if (unref_devices)
    for (libusb_device **d = list; *d; d++) libusb_unref_device(*d);
  free(list);
}

API int libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc) {
  *desc = dev->desc;
  return LIBUSB_SUCCESS;
}

API uint8_t libusb_get_bus_number(libusb_device *dev) { return dev->bus; }

API uint8_t libusb_get_device_address(libusb_device *dev) { return dev->address; }

API int libusb_get_port_numbers(libusb_device *dev, uint8_t *port_numbers, int port_numbers_len) {
  if (port_numbers_len <= 0) return LIBUSB_ERROR_INVALID_PARAM;
  if (port_numbers_len < dev->nports) return LIBUSB_ERROR_OVERFLOW;
  memcpy(port_numbers, dev->ports, dev->nports);
  return dev->nports;
}

/* ---- configuration descriptor parsing ---------------------------------------------------------------- */

#define DT_CONFIG 2
#define DT_INTERFACE 4
#define DT_ENDPOINT 5
#define DT_DEVICE 1

/* The returned descriptor plus what it points into, freed as one by libusb_free_config_descriptor. */
struct owned_config {
  struct libusb_config_descriptor pub; /* first: the pointer callers hold */
  uint8_t *raw;
  struct libusb_interface *ifaces;
  int nifaces;
};

/* Length of the run of "extra" descriptors at p: everything up to the next interface/endpoint/config. */
static int extra_run(const uint8_t *p, int n) {
  int off = 0;
  while (off + 2 <= n) {
    uint8_t len = p[off], type = p[off + 1];
    if (len < 2 || off + len > n) break;
    if (type == DT_INTERFACE || type == DT_ENDPOINT || type == DT_CONFIG || type == DT_DEVICE) break;
    off += len;
  }
  return off;
}

static void free_owned(struct owned_config *oc) {
  for (int i = 0; i < oc->nifaces; i++) {
    struct libusb_interface *it = &oc->ifaces[i];
    for (int a = 0; a < it->num_altsetting; a++) free((void *)it->altsetting[a].endpoint);
    free((void *)it->altsetting);
  }
  free(oc->ifaces);
  free(oc->raw);
  free(oc);
}

/*
 * Splits a configuration bundle the way libusb presents it: interface descriptors with the same
 * bInterfaceNumber in a row are the alternate settings of one interface; the class-specific descriptors
 * after a descriptor (e.g. the DFU functional descriptor after the DFU interface) are its `extra` bytes.
 */
static int parse_config(const uint8_t *src, int n, struct libusb_config_descriptor **out) {
  struct owned_config *oc;
  struct libusb_config_descriptor *c;
  int off;
  if (n < 9 || src[1] != DT_CONFIG || src[0] < 9) return LIBUSB_ERROR_IO;
  oc = calloc(1, sizeof *oc);
  if (!oc) return LIBUSB_ERROR_NO_MEM;
  oc->raw = malloc((size_t)n);
  if (!oc->raw) goto nomem;
  memcpy(oc->raw, src, (size_t)n);
  c = &oc->pub;
  c->bLength = src[0];
  c->bDescriptorType = src[1];
  c->wTotalLength = get16(src + 2);
  c->bNumInterfaces = src[4];
  c->bConfigurationValue = src[5];
  c->iConfiguration = src[6];
  c->bmAttributes = src[7];
  c->MaxPower = src[8];
  if (c->wTotalLength < n) n = c->wTotalLength;
  off = src[0];
  c->extra_length = extra_run(oc->raw + off, n - off);
  c->extra = c->extra_length ? oc->raw + off : NULL;
  off += c->extra_length;
  oc->ifaces = calloc(c->bNumInterfaces ? c->bNumInterfaces : 1, sizeof *oc->ifaces);
  if (!oc->ifaces) goto nomem;
  c->interface = oc->ifaces;
  while (off + 9 <= n) {
    const uint8_t *d = oc->raw + off;
    struct libusb_interface *it;
    struct libusb_interface_descriptor *alt, *alts;
    struct libusb_endpoint_descriptor *eps;
    if (d[0] < 2 || off + d[0] > n) break;
    if (d[1] != DT_INTERFACE || d[0] < 9) { /* stray descriptor between interfaces: skip it */
      off += d[0];
      continue;
    }
    if (oc->nifaces == 0 || oc->ifaces[oc->nifaces - 1].altsetting[0].bInterfaceNumber != d[2]) {
      if (oc->nifaces == c->bNumInterfaces) break;
      oc->nifaces++;
    }
    it = &oc->ifaces[oc->nifaces - 1];
    alts = realloc((void *)it->altsetting, sizeof *alts * (size_t)(it->num_altsetting + 1));
    if (!alts) goto nomem;
    it->altsetting = alts;
    alt = &alts[it->num_altsetting++];
    memset(alt, 0, sizeof *alt);
    alt->bLength = d[0];
    alt->bDescriptorType = d[1];
    alt->bInterfaceNumber = d[2];
    alt->bAlternateSetting = d[3];
    alt->bNumEndpoints = d[4];
    alt->bInterfaceClass = d[5];
    alt->bInterfaceSubClass = d[6];
    alt->bInterfaceProtocol = d[7];
    alt->iInterface = d[8];
    off += d[0];
    alt->extra_length = extra_run(oc->raw + off, n - off);
    alt->extra = alt->extra_length ? oc->raw + off : NULL;
    off += alt->extra_length;
    if (alt->bNumEndpoints) {
      eps = calloc(alt->bNumEndpoints, sizeof *eps);
      if (!eps) goto nomem;
      alt->endpoint = eps;
      for (int e = 0; e < alt->bNumEndpoints; e++) {
        const uint8_t *ed = oc->raw + off;
        if (off + 7 > n || ed[1] != DT_ENDPOINT || ed[0] < 7 || off + ed[0] > n) {
          alt->bNumEndpoints = (uint8_t)e; /* truncated: keep what was there, as libusb warns and does */
          break;
        }
        eps[e].bLength = ed[0];
        eps[e].bDescriptorType = ed[1];
        eps[e].bEndpointAddress = ed[2];
        eps[e].bmAttributes = ed[3];
        eps[e].wMaxPacketSize = get16(ed + 4);
        eps[e].bInterval = ed[6];
        if (ed[0] >= 9) {
          eps[e].bRefresh = ed[7];
          eps[e].bSynchAddress = ed[8];
        }
        off += ed[0];
        eps[e].extra_length = extra_run(oc->raw + off, n - off);
        eps[e].extra = eps[e].extra_length ? oc->raw + off : NULL;
        off += eps[e].extra_length;
      }
    }
  }
  /* Fewer interfaces than announced: libusb fails such a descriptor rather than hand out holes. */
  if (oc->nifaces < c->bNumInterfaces) {
    free_owned(oc);
    return LIBUSB_ERROR_IO;
  }
  *out = c;
  return LIBUSB_SUCCESS;
nomem:
  free_owned(oc);
  return LIBUSB_ERROR_NO_MEM;
}

API int libusb_get_config_descriptor(libusb_device *dev, uint8_t config_index, struct libusb_config_descriptor **config) {
  if (config_index >= dev->nconfigs) return LIBUSB_ERROR_NOT_FOUND;
  return parse_config(dev->config_raw[config_index], dev->config_len[config_index], config);
}

API int libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **config) {
  return libusb_get_config_descriptor(dev, 0, config);
}

API void libusb_free_config_descriptor(struct libusb_config_descriptor *config) {
  if (config) free_owned((struct owned_config *)(void *)config);
}

/* ---- device handles ---------------------------------------------------------------------------------- */

API int libusb_open(libusb_device *dev, libusb_device_handle **dev_handle) {
  uint8_t req[4], *reply;
  size_t len;
  libusb_device_handle *h;
  int r;
  put32(req, dev->id);
  r = call(OP_OPEN, req, sizeof req, &reply, &len);
  if (r < 0) {
    free(reply);
    return r;
  }
  if (len < 4 || !(h = malloc(sizeof *h))) {
    free(reply);
    return len < 4 ? LIBUSB_ERROR_IO : LIBUSB_ERROR_NO_MEM;
  }
  h->handle = get32(reply);
  h->dev = libusb_ref_device(dev);
  free(reply);
  *dev_handle = h;
  return LIBUSB_SUCCESS;
}

API void libusb_close(libusb_device_handle *h) {
  uint8_t req[4];
  if (!h) return;
  put32(req, h->handle);
  call(OP_CLOSE, req, sizeof req, NULL, NULL);
  libusb_unref_device(h->dev);
  free(h);
}

API libusb_device *libusb_get_device(libusb_device_handle *h) { return h->dev; }

static int handle_op(uint8_t op, libusb_device_handle *h, int a, int b) {
  uint8_t req[6];
  if (a < 0 || a > 255 || b < 0 || b > 255) return LIBUSB_ERROR_INVALID_PARAM;
  put32(req, h->handle);
  req[4] = (uint8_t)a;
  req[5] = (uint8_t)b;
  return call(op, req, sizeof req, NULL, NULL);
}

API int libusb_claim_interface(libusb_device_handle *h, int interface_number) {
  return handle_op(OP_CLAIM, h, interface_number, 0);
}

API int libusb_release_interface(libusb_device_handle *h, int interface_number) {
  return handle_op(OP_RELEASE, h, interface_number, 0);
}

API int libusb_set_interface_alt_setting(libusb_device_handle *h, int interface_number, int alternate_setting) {
  return handle_op(OP_SET_ALT, h, interface_number, alternate_setting);
}

API int libusb_reset_device(libusb_device_handle *h) {
  uint8_t req[4];
  put32(req, h->handle);
  return call(OP_RESET, req, sizeof req, NULL, NULL);
}

/* The data stage goes with the request (OUT) or comes back with the answer (IN); the timeout is not
 * forwarded: the emulated device answers every request at once. */
API int libusb_control_transfer(libusb_device_handle *h, uint8_t request_type, uint8_t bRequest, uint16_t wValue,
                                uint16_t wIndex, unsigned char *data, uint16_t wLength, unsigned int timeout) {
  int in = (request_type & 0x80) != 0;
  size_t n = 12 + (in ? 0 : wLength);
  uint8_t *req = malloc(n), *reply;
  size_t len;
  int r;
  (void)timeout;
  if (!req) return LIBUSB_ERROR_NO_MEM;
  if (wLength && !data) {
    free(req);
    return LIBUSB_ERROR_INVALID_PARAM;
  }
  put32(req, h->handle);
  req[4] = request_type;
  req[5] = bRequest;
  put16(req + 6, wValue);
  put16(req + 8, wIndex);
  put16(req + 10, wLength);
  if (!in && wLength) memcpy(req + 12, data, wLength);
  r = call(OP_CONTROL, req, n, &reply, &len);
  free(req);
  if (r >= 0 && in) {
    if (len > wLength) len = wLength; /* the server never sends more; belt and braces */
    if (len) memcpy(data, reply, len);
    r = (int)len;
  }
  free(reply);
  return r;
}

/* As libusb: language 0 from string descriptor 0, then UTF-16LE → ASCII with '?' for non-ASCII. */
API int libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t desc_index, unsigned char *data,
                                           int length) {
  unsigned char buf[255];
  int r, di = 0;
  uint16_t langid;
  if (desc_index == 0) return LIBUSB_ERROR_INVALID_PARAM;
  r = libusb_control_transfer(h, 0x80, 6, 0x0300, 0, buf, sizeof buf, 1000);
  if (r < 0) return r;
  if (r < 4) return LIBUSB_ERROR_IO;
  langid = get16(buf + 2);
  r = libusb_control_transfer(h, 0x80, 6, (uint16_t)(0x0300 | desc_index), langid, buf, sizeof buf, 1000);
  if (r < 0) return r;
  if (buf[1] != 3 || buf[0] > r) return LIBUSB_ERROR_IO;
  for (int si = 2; si + 1 < buf[0] && di < length - 1; si += 2) data[di++] = buf[si + 1] ? '?' : buf[si];
  if (length > 0) data[di] = 0;
  return di;
}
