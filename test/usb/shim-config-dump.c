/* Test client for tools/libusb-shim, compiled by test/usb/shim.test.ts against the real libusb.h and linked
 * to the shim: prints what libusb_get_config_descriptor hands out (interfaces, alternate settings,
 * endpoints, extra byte counts) for every device usb-serve lists, plus a few handle calls. */
#include <stdio.h>
#include <libusb-1.0/libusb.h>

int main(void) {
  libusb_context *ctx;
  libusb_device **list;
  ssize_t n;
  if (libusb_init(&ctx) != 0) return 2;
  n = libusb_get_device_list(ctx, &list);
  printf("devices %zd\n", n);
  for (ssize_t i = 0; i < n; i++) {
    struct libusb_device_descriptor d;
    struct libusb_config_descriptor *c;
    uint8_t ports[7];
    libusb_get_device_descriptor(list[i], &d);
    printf("%04x:%04x bus %u addr %u ports %d configs %u\n", d.idVendor, d.idProduct, libusb_get_bus_number(list[i]),
           libusb_get_device_address(list[i]), libusb_get_port_numbers(list[i], ports, 7), d.bNumConfigurations);
    if (libusb_get_config_descriptor(list[i], 0, &c) != 0) return 3;
    printf("config %u total %u interfaces %u extra %d\n", c->bConfigurationValue, c->wTotalLength, c->bNumInterfaces,
           c->extra_length);
    for (int f = 0; f < c->bNumInterfaces; f++) {
      const struct libusb_interface *it = &c->interface[f];
      for (int a = 0; a < it->num_altsetting; a++) {
        const struct libusb_interface_descriptor *s = &it->altsetting[a];
        printf(" if %u alt %u class %02x/%02x/%02x eps %u extra %d\n", s->bInterfaceNumber, s->bAlternateSetting,
               s->bInterfaceClass, s->bInterfaceSubClass, s->bInterfaceProtocol, s->bNumEndpoints, s->extra_length);
        for (int e = 0; e < s->bNumEndpoints; e++)
          printf("  ep %02x attr %u max %u interval %u extra %d\n", s->endpoint[e].bEndpointAddress,
                 s->endpoint[e].bmAttributes, s->endpoint[e].wMaxPacketSize, s->endpoint[e].bInterval,
                 s->endpoint[e].extra_length);
      }
    }
    libusb_free_config_descriptor(c);
    printf("config 1: %s\n", libusb_error_name(libusb_get_config_descriptor(list[i], 1, &c)));
    {
      libusb_device_handle *h;
      unsigned char s[64];
      if (libusb_open(list[i], &h) != 0) return 4;
      printf("product \"%.*s\"\n", libusb_get_string_descriptor_ascii(h, d.iProduct, s, sizeof s), s);
      printf("claim 5: %s\n", libusb_error_name(libusb_claim_interface(h, 5)));
      printf("claim 1: %s\n", libusb_error_name(libusb_claim_interface(h, 1)));
      printf("stall: %s\n", libusb_error_name(libusb_control_transfer(h, 0xc0, 0x42, 0, 0, s, 4, 100)));
      libusb_close(h);
    }
  }
  libusb_free_device_list(list, 1);
  libusb_exit(ctx);
  return 0;
}
