# syntax=docker/dockerfile:1
# tenantscope: the site (dist/) and tenantscope-proxy in one image (the last
# stage, built by default); the command line and exporter in another (the
# `cli` stage).
#
#   docker build -t tenantscope .
#   docker run --rm -p 127.0.0.1:8080:8080 tenantscope --demo
#
# The command line (docs/cli.md), its credentials from the environment:
#
#   docker build --target cli -t tenantscope-cli .
#   docker run --rm tenantscope-cli check --demo
#   docker run --rm -e CLOUD_SDK_AK -e CLOUD_SDK_SK tenantscope-cli check --all-regions --fail-within 7
#   docker run -d -p 127.0.0.1:9465:9465 -e CLOUD_SDK_AK -e CLOUD_SDK_SK tenantscope-cli \
#     exporter --all-regions --listen 0.0.0.0:9465 --interval 15m
#
# Exposed, behind nginx on the host proxying to 127.0.0.1:8080 (the port is
# published on loopback only; the host's connections reach the container
# from the bridge's gateway, 172.17.0.1 on Docker's default bridge):
#
#   docker run -d -p 127.0.0.1:8080:8080 --stop-timeout 35 tenantscope \
#     --allowed-host proxy.example.com \
#     --client-ip-header X-Real-IP --trusted-proxy 172.17.0.1/32
#
# Or exposed alone, serving TLS (and HTTP/2) itself: mount the directory of
# the certificate and key (readable by uid 10001), not the files, so that
# renewed files reach the container; they are read again within 5 s, or at
# once on `docker kill --signal HUP`. No client-address header: each client
# is counted by its own address.
#
#   docker run -d -p 443:8080 --stop-timeout 35 -v /etc/tenantscope/tls:/tls:ro \
#     tenantscope --allowed-host proxy.example.com \
#     --tls-cert /tls/fullchain.pem --tls-key /tls/privkey.pem
#
# The entrypoint listens on 0.0.0.0:8080 and serves /srv/dist; anything after
# the image name is passed to tenantscope-proxy as further flags (or use the
# TENANTSCOPE_* variables with -e). Drain time: the proxy waits up to
# --shutdown-timeout (30 s) after SIGTERM, so stop with `docker stop -t 35`.

# ---------------------------------------------------------------------------
# Build: the tools scripts/bootstrap installs, then scripts/build.
# The toolchain of the development machines (rustc 1.95, Debian 12).
FROM docker.io/library/rust:1.95-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src

# The tools first, from only what chooses their versions (the bootstrap
# script, the wasm-bindgen line of Cargo.lock, npm's lock), so that a change
# of the sources does not install them again (about 15 minutes).
COPY scripts/bootstrap scripts/env.sh scripts/
COPY Cargo.lock package.json package-lock.json ./
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    scripts/bootstrap \
    && rm -rf /var/lib/apt/lists/*

# The site (release, split wasm, precompressed) into dist/, the proxy and the
# command line into target/server/. target/ is a build cache, so the results
# are copied out of it in the same step.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/src/target,sharing=locked \
    scripts/build \
    && install -D -m 0755 target/server/tenantscope-proxy /out/tenantscope-proxy \
    && install -D -m 0755 target/server/tenantscope /out/tenantscope

# ---------------------------------------------------------------------------
# The command line and exporter: the binary alone (rustls with its own roots,
# glibc and libgcc_s from the base image). Not the default target.
FROM docker.io/library/debian:stable-slim AS cli
RUN groupadd --system --gid 10001 tenantscope \
    && useradd --system --uid 10001 --gid tenantscope --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tenantscope
COPY --from=build /out/tenantscope /usr/local/bin/tenantscope
USER 10001:10001
EXPOSE 9465
ENTRYPOINT ["/usr/local/bin/tenantscope"]
CMD ["check", "--help"]

# ---------------------------------------------------------------------------
# Runtime: the binary and dist/, nothing else. The proxy uses rustls with its
# own (webpki) roots, so not even ca-certificates is needed; it links only
# glibc (built against Debian 12's, so any newer one runs it) and libgcc_s,
# both in the base image. bash stays for the health check.
FROM docker.io/library/debian:stable-slim
RUN groupadd --system --gid 10001 tenantscope \
    && useradd --system --uid 10001 --gid tenantscope --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin tenantscope
COPY --from=build /out/tenantscope-proxy /usr/local/bin/tenantscope-proxy
COPY --from=build /src/dist /srv/dist
USER 10001:10001
EXPOSE 8080
STOPSIGNAL SIGTERM
# /healthz answers `ok` (docs/proxy.md, Operations), asked on the loopback metrics
# listener below, which speaks plain HTTP whether or not the public port
# serves TLS. The image has no curl or wget: bash's /dev/tcp speaks the one
# HTTP/1.0 request. Host `localhost` is always answered there.
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && grep -qx 'ok' <&3"]
# /metrics on a loopback listener inside the container (a sidecar or a
# pod-local scraper shares the network namespace), never on the published port.
ENV TENANTSCOPE_METRICS_LISTEN=127.0.0.1:9464
ENTRYPOINT ["/usr/local/bin/tenantscope-proxy", "--listen", "0.0.0.0:8080", "--static", "/srv/dist"]
CMD []
