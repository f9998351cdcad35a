# zonepipe's image: every program, the named recipe and named itself.
#   docker build -t zonepipe .        (compose.yaml builds it for you)
# Two stages: `build` compiles with the -dev packages; the runtime image has
# only the shared libraries the programs link (and BIND 9), none of the
# compilers or headers. The package lists are kept in step with scripts/deps
# by tests/hosts/image_check (CTest `hosts_image_check`): every scripts/deps
# package is in BUILD_PACKAGES, in RUNTIME_PACKAGES or in the left-out list
# below, and every library the built programs need is in RUNTIME_PACKAGES.
#
# scripts/deps packages the image leaves out (tests, benchmarks and tools only):
#   left-out: clang-format bind9-dnsutils curl lmdb-utils iproute2 time jq chromium libfuzzer-14-dev clang-14 python3 pebble certbot lego dehydrated

FROM debian:12 AS build
ARG BUILD_PACKAGES="build-essential cmake ninja-build pkg-config \
  libpistache-dev cppzmq-dev libzmq3-dev libcapnp-dev capnproto liblmdb-dev libspdlog-dev \
  libgtest-dev libgmock-dev rapidjson-dev libssl-dev libidn2-dev libknot-dev libsodium-dev \
  prometheus-cpp-dev"
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $BUILD_PACKAGES \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# GoogleTest is found at configure time (the tests are part of the tree); only
# the programs are built.
RUN rm -rf build \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build --target zonepipe zonepipe-api zonepipe-validator zonepipe-store \
      zonepipe-renderer zonepipe-push \
 && strip --strip-debug build/bin/zonepipe build/bin/zonepipe-*

FROM debian:12
# The shared libraries of the programs (readelf NEEDED, checked by
# tests/hosts/image_check) and BIND 9: named for the nameserver hosts,
# named-checkzone for the renderer, tsig-keygen/named-checkconf for
# scripts/named-setup.
ARG RUNTIME_PACKAGES="libpistache0 libzmq5 libcapnp-0.9.2 liblmdb0 libspdlog1.10 libfmt9 \
  libssl3 libidn2-0 libknot13 libzscanner4 libsodium23 \
  libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 \
  bind9 bind9-utils"
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $RUNTIME_PACKAGES \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/build/bin/zonepipe /src/build/bin/zonepipe-api \
  /src/build/bin/zonepipe-validator /src/build/bin/zonepipe-store \
  /src/build/bin/zonepipe-renderer /src/build/bin/zonepipe-push \
  /src/build/bin/libzonepipe-named-clock.so /opt/zonepipe/bin/
COPY scripts/named-setup scripts/named-start scripts/named-stop /opt/zonepipe/scripts/
# The several-hosts configuration; compose.yaml mounts the repository's copy
# over it, so an edit needs no rebuild.
COPY deploy/zonepipe.conf /etc/zonepipe/zonepipe.conf
ENV PATH=/opt/zonepipe/bin:/opt/zonepipe/scripts:$PATH \
    ZONEPIPE_HOME=/var/lib/zonepipe \
    ZONEPIPE_CONFIG=/etc/zonepipe/zonepipe.conf
VOLUME /var/lib/zonepipe
# Each service of compose.yaml says which program this container runs.
CMD ["zonepipe", "--help"]
