# Build a static peiyu binary and run it on a minimal image. The embedded
# SQLite store is pure Go, so CGO is off.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/peiyu ./cmd/peiyu

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/peiyu /usr/local/bin/peiyu
ENV PEIYU_ADDR=0.0.0.0:8080 \
    PEIYU_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/usr/local/bin/peiyu"]
CMD ["serve"]
