/*
 * A stand-in for testcontainers' Ryuk reaper (the testcontainers/ryuk image
 * cannot be pulled here), speaking its protocol: clients connect to port 8080
 * (RYUK_PORT) and send filter lines in URL-query form
 * (`label=org.testcontainers.session-id=UUID`), each answered with `ACK`.
 * When every connection has closed and none came back within
 * RYUK_RECONNECTION_TIMEOUT (10s), or none came at all within
 * RYUK_CONNECTION_TIMEOUT (60s), it removes the containers, networks, volumes
 * and images matching each filter line through the Docker API on
 * /var/run/docker.sock, and exits. Built static by the test (gcc -static).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define MAX_FILTERS 64
#define LINE 2048

static char filters[MAX_FILTERS][LINE]; /* each a JSON filters object */
static int nfilters;
static char body[4 << 20];

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* Go durations as ryuk reads them: 10s, 500ms, 1m, 1m30s. */
static long duration_ms(const char *env, long dflt) {
  const char *s = getenv(env);
  if (!s || !*s) return dflt;
  long total = 0;
  while (*s) {
    char *end;
    double n = strtod(s, &end);
    if (end == s) return dflt;
    if (strncmp(end, "ms", 2) == 0) total += (long)n, end += 2;
    else if (*end == 's') total += (long)(n * 1000), end++;
    else if (*end == 'm') total += (long)(n * 60000), end++;
    else if (*end == 'h') total += (long)(n * 3600000), end++;
    else return dflt;
    s = end;
  }
  return total;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void url_decode(char *s) {
  char *o = s;
  for (; *s; s++) {
    if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
      *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
      s += 2;
    } else *o++ = *s == '+' ? ' ' : *s;
  }
  *o = 0;
}

static void url_encode(const char *s, char *out, size_t n) {
  size_t o = 0;
  for (; *s && o + 4 < n; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c))
      out[o++] = (char)c;
    else o += (size_t)snprintf(out + o, n - o, "%%%02X", c);
  }
  out[o] = 0;
}

/* `label=a=b&label=c=d` as {"label":["a=b","c=d"]}; 0 if the line has no filter. */
static int parse_filter_line(char *line, char *json, size_t n) {
  size_t o = (size_t)snprintf(json, n, "{");
  int keys = 0;
  for (char *part = strtok(line, "&"); part; part = strtok(NULL, "&")) {
    char *eq = strchr(part, '=');
    if (!eq) continue;
    *eq = 0;
    url_decode(part);
    url_decode(eq + 1);
    o += (size_t)snprintf(json + o, n - o, "%s\"%s\":[\"%s\"]", keys++ ? "," : "", part, eq + 1);
  }
  snprintf(json + o, n - o, "}");
  return keys;
}

/* One request on the API socket (HTTP/1.0: the answer ends with the connection); its status. */
static int api(const char *method, const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  strncpy(a.sun_path, "/var/run/docker.sock", sizeof a.sun_path - 1);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    perror("connect /var/run/docker.sock");
    if (fd >= 0) close(fd);
    return -1;
  }
  dprintf(fd, "%s %s HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n", method, path);
  size_t len = 0;
  ssize_t r;
  while (len < sizeof body - 1 && (r = read(fd, body + len, sizeof body - 1 - len)) > 0) len += (size_t)r;
  close(fd);
  body[len] = 0;
  int status = 0;
  sscanf(body, "HTTP/%*s %d", &status);
  char *start = strstr(body, "\r\n\r\n");
  if (start) memmove(body, start + 4, strlen(start + 4) + 1);
  return status;
}

/* Every `"key":"value"` in the last answer, in `ids`; how many. */
static int values_of(const char *key, char ids[][256], int max) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  int n = 0;
  for (char *p = strstr(body, pat); p && n < max; p = strstr(p, pat)) {
    p += strlen(pat);
    char *end = strchr(p, '"');
    if (!end || end - p >= 256) break;
    memcpy(ids[n], p, (size_t)(end - p));
    ids[n++][end - p] = 0;
  }
  return n;
}

static char ids[1024][256];

static void prune(const char *filter, const char *self) {
  char enc[3 * LINE], path[4 * LINE];
  url_encode(filter, enc, sizeof enc);
  int removed[4] = {0};
  snprintf(path, sizeof path, "/containers/json?all=1&filters=%s", enc);
  if (api("GET", path) == 200) {
    int n = values_of("Id", ids, 1024);
    for (int i = 0; i < n; i++) {
      /* Not itself: it is auto-removed when it exits. */
      if (strncmp(ids[i], self, strlen(self)) == 0) continue;
      snprintf(path, sizeof path, "/containers/%.200s?force=1&v=1", ids[i]);
      if (api("DELETE", path) == 204) removed[0]++;
    }
  }
  snprintf(path, sizeof path, "/networks?filters=%s", enc);
  if (api("GET", path) == 200) {
    int n = values_of("Id", ids, 1024);
    for (int i = 0; i < n; i++) {
      snprintf(path, sizeof path, "/networks/%.200s", ids[i]);
      if (api("DELETE", path) == 204) removed[1]++;
    }
  }
  snprintf(path, sizeof path, "/volumes?filters=%s", enc);
  if (api("GET", path) == 200) {
    int n = values_of("Name", ids, 1024);
    for (int i = 0; i < n; i++) {
      snprintf(path, sizeof path, "/volumes/%.200s?force=1", ids[i]);
      if (api("DELETE", path) == 204) removed[2]++;
    }
  }
  snprintf(path, sizeof path, "/images/json?filters=%s", enc);
  if (api("GET", path) == 200) {
    int n = values_of("Id", ids, 1024);
    for (int i = 0; i < n; i++) {
      snprintf(path, sizeof path, "/images/%.200s?force=1", ids[i]);
      if (api("DELETE", path) == 200) removed[3]++;
    }
  }
  printf("Removed %s: containers=%d networks=%d volumes=%d images=%d\n", filter, removed[0], removed[1],
         removed[2], removed[3]);
  fflush(stdout);
}

static void add_filter(char *line) {
  char json[LINE];
  if (!parse_filter_line(line, json, sizeof json)) return;
  for (int i = 0; i < nfilters; i++)
    if (strcmp(filters[i], json) == 0) return;
  if (nfilters < MAX_FILTERS) strcpy(filters[nfilters++], json);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *port = getenv("RYUK_PORT");
  long reconnect = duration_ms("RYUK_RECONNECTION_TIMEOUT", 10000);
  long first = duration_ms("RYUK_CONNECTION_TIMEOUT", 60000);
  char self[64] = "";
  gethostname(self, sizeof self - 1);

  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port ? atoi(port) : 8080)};
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0) {
    perror("listen");
    return 1;
  }
  printf("Started!\n");

  struct pollfd fds[MAX_CLIENTS + 1] = {{.fd = ls, .events = POLLIN}};
  char buf[MAX_CLIENTS + 1][LINE];
  size_t used[MAX_CLIENTS + 1] = {0};
  int nfds = 1, connected = 0;
  long deadline = now_ms() + first;
  for (;;) {
    long wait = connected ? -1 : deadline - now_ms();
    if (!connected && wait <= 0) break;
    if (poll(fds, (nfds_t)nfds, (int)wait) < 0 && errno != EINTR) return 1;
    if (fds[0].revents & POLLIN) {
      int c = accept(ls, NULL, NULL);
      if (c >= 0 && nfds <= MAX_CLIENTS) {
        fds[nfds] = (struct pollfd){.fd = c, .events = POLLIN};
        used[nfds++] = 0;
        connected++;
        printf("New client connected (%d)\n", connected);
      } else if (c >= 0) close(c);
    }
    for (int i = 1; i < nfds; i++) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = read(fds[i].fd, buf[i] + used[i], LINE - 1 - used[i]);
      if (r > 0) {
        used[i] += (size_t)r;
        buf[i][used[i]] = 0;
        char *nl;
        while ((nl = strchr(buf[i], '\n'))) {
          *nl = 0;
          if (nl > buf[i] && nl[-1] == '\r') nl[-1] = 0;
          add_filter(buf[i]);
          if (write(fds[i].fd, "ACK\n", 4) < 0) {}
          size_t rest = used[i] - (size_t)(nl + 1 - buf[i]);
          memmove(buf[i], nl + 1, rest + 1);
          used[i] = rest;
        }
        if (used[i] == LINE - 1) used[i] = 0; /* a line too long for a filter: dropped */
        continue;
      }
      close(fds[i].fd);
      fds[i] = fds[--nfds];
      memcpy(buf[i], buf[nfds], used[nfds] + 1);
      used[i] = used[nfds];
      i--;
      if (--connected == 0) deadline = now_ms() + reconnect;
      printf("Client disconnected (%d left)\n", connected);
    }
  }
  for (int i = 0; i < nfilters; i++) prune(filters[i], self);
  return 0;
}
