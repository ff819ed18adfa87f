# syntax=docker/dockerfile:1
# minibase's image: a static, CGO-free binary (the same go build line as
# `make build`) on distroless, run as a non-root user, data in the /data
# volume, health checked by the binary itself (the image has no shell).
#   docker build --build-arg VERSION=$(git describe --tags --always) -t minibase .
#   docker run -p 8090:8090 -v mbdata:/data minibase
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/minibase . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="minibase" \
      org.opencontainers.image.description="A backend for mini-programs in one binary" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/minibase /minibase
COPY --from=build --chown=65532:65532 /out/data /data
# distroless's nonroot user; /data is its own.
USER 65532:65532
VOLUME /data
ENV MINIBASE_DIR=/data MINIBASE_HTTP=0.0.0.0:8090
EXPOSE 8090
# `minibase health` asks this container's server for /v1/health, with the
# same settings (over HTTPS too: it follows the plain port's redirect).
HEALTHCHECK --interval=30s --timeout=10s --start-period=1m --retries=3 CMD ["/minibase", "health"]
# SIGTERM: in-flight requests get up to 30 s, then the database is closed;
# give `docker stop` more than that (docker stop -t 45, compose's
# stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/minibase"]
CMD ["serve"]
