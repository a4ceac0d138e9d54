vcl 4.1;

# Varnish in front of Hearth (see docs/deploy.md, "A CDN or Varnish in front"). It keeps
# public pages as long as Hearth's headers allow (a day with HEARTH_PURGE_URL set, else a
# minute) and drops the pages a write touched when Hearth sends PURGE with their tags:
#   HEARTH_PURGE_URL=http://127.0.0.1:6081/  HEARTH_PURGE_METHOD=PURGE
# test/http/cdn-varnish.test.ts runs this file, with its own ports, in front of Hearth.

import std;

backend hearth {
  .host = "127.0.0.1";
  .port = "3000";
}

# Who may purge: the machines Hearth runs on.
acl purgers {
  "127.0.0.1";
  "::1";
}

sub vcl_recv {
  if (req.method == "PURGE" || req.method == "BAN") {
    if (client.ip !~ purgers) {
      return (synth(403, "Forbidden"));
    }
    # Hearth's tags are like `post:12`, `comments:12`, `posts`, `site`, separated by spaces.
    if (req.http.Surrogate-Key !~ "^[A-Za-z0-9:_-]+( [A-Za-z0-9:_-]+)*$") {
      return (synth(400, "Surrogate-Key: give the tags separated by spaces"));
    }
    # Drops every object whose Surrogate-Key holds any of the tags, as a whole word.
    # (The ban's argument ends at a space: the pattern has none.)
    if (!std.ban("obj.http.Surrogate-Key ~ (^|[[:space:]])(" + regsuball(req.http.Surrogate-Key, " ", "|") + ")([[:space:]]|$)")) {
      return (synth(500, std.ban_error()));
    }
    return (synth(200, "Purged"));
  }
  # Signed-in pages, the API, set-up and preview links are personal: never kept.
  if (req.url ~ "^/(admin|api|setup|preview)(/|\?|$)" || req.url ~ "^/comments/unsubscribe/") {
    return (pass);
  }
  # The public site is the same for everyone: a visitor's cookies do not change it, and
  # Varnish would not cache a request that has them.
  if (req.method == "GET" || req.method == "HEAD") {
    unset req.http.Cookie;
  }
}

sub vcl_backend_response {
  # Surrogate-Control (sent with HEARTH_PURGE_URL) says how long a purged cache may keep
  # the response; Cache-Control's s-maxage, for caches Hearth cannot purge, is shorter.
  if (beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
    set beresp.ttl = std.duration(regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1") + "s", 60s);
  }
  unset beresp.http.Surrogate-Control;
  unset beresp.http.CDN-Cache-Control;
  # Past its time, a page is asked for again with its ETag: an unchanged one costs a 304.
  set beresp.keep = 1h;
}

sub vcl_deliver {
  if (obj.hits > 0) {
    set resp.http.X-Cache = "HIT";
  } else {
    set resp.http.X-Cache = "MISS";
  }
  # The tags are for this cache only.
  unset resp.http.Surrogate-Key;
  unset resp.http.Cache-Tag;
}
