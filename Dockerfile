# syntax=docker/dockerfile:1
# Static, CGO-free build (the same flags as `make build`), run as non-root
# with the data in the /data volume.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/minibase . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/minibase /minibase
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME /data
ENV MINIBASE_DIR=/data MINIBASE_HTTP=0.0.0.0:8090
EXPOSE 8090
ENTRYPOINT ["/minibase"]
CMD ["serve"]
