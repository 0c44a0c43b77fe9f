// A minimal HTTPS client over GnuTLS for the sslsniff tests: one GET through
// gnutls_record_send/gnutls_record_recv (certificate not verified: the test's is self-signed).
// Usage: gnutls_client HOST PORT PATH. Prints the response to stdout.
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        return 3;
    gnutls_global_init();
    gnutls_certificate_credentials_t cred;
    gnutls_certificate_allocate_credentials(&cred);
    gnutls_session_t s;
    gnutls_init(&s, GNUTLS_CLIENT);
    gnutls_set_default_priority(s);
    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred);
    gnutls_transport_set_int(s, fd);
    int r;
    do {
        r = gnutls_handshake(s);
    } while (r < 0 && !gnutls_error_is_fatal(r));
    if (r < 0)
        return 4;
    char req[512];
    int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[3], argv[1]);
    if (gnutls_record_send(s, req, n) != n)
        return 5;
    char buf[4096];
    ssize_t got;
    for (;;) {
        got = gnutls_record_recv(s, buf, sizeof(buf));
        if (got > 0)
            fwrite(buf, 1, got, stdout);
        else if (got == 0 || gnutls_error_is_fatal(got))
            break;   // the end (the test server closes without close_notify: a fatal "premature" error)
    }
    gnutls_deinit(s);
    gnutls_certificate_free_credentials(cred);
    close(fd);
    return 0;
}
