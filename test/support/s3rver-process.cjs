/* eslint-disable @typescript-eslint/no-require-imports */
/* global require, process, Buffer */
'use strict';
// Child-process entry for test/support/s3rver.ts. Runs s3rver outside the test process so
// its synchronous disk walks and memory do not skew tests or benchmarks, under
// --openssl-legacy-provider because s3rver signs continuation tokens with DES. It also
// repairs two places where s3rver 3.7 differs from S3 (see patchS3rver).
const fs = require('node:fs');
const path = require('node:path');
const S3rver = require('s3rver');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

const OBJECT_SUFFIX = '._S3rver_object';

function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function collectKeys(dir, relative, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      collectKeys(path.join(dir, entry.name), `${relative}${entry.name}/`, out);
    } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
      out.push(relative + entry.name.slice(0, -OBJECT_SUFFIX.length));
    }
  }
  return out;
}

function patchS3rver() {
  // S3 lists keys in UTF-8 byte order; s3rver walks its folders, which puts `a/b` before `a-c`
  // and `a`, and compares start-after in UTF-16 order.
  FilesystemStore.prototype.listObjects = async function listObjects(
    bucket,
    options,
  ) {
    const {
      delimiter = '',
      startAfter = '',
      prefix = '',
      maxKeys = Infinity,
    } = options;
    const S3Object = require('s3rver/lib/models/object');
    const keys = collectKeys(this.getBucketPath(bucket), '', [])
      .filter((key) => key.startsWith(prefix) && byteOrder(key, startAfter) > 0)
      .sort(byteOrder);
    const commonPrefixes = new Set();
    const page = [];
    let isTruncated = false;
    for (const key of keys) {
      const idx = delimiter ? key.slice(prefix.length).indexOf(delimiter) : -1;
      if (idx !== -1) {
        commonPrefixes.add(key.slice(0, prefix.length + idx + 1));
        continue;
      }
      if (page.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      page.push(key);
    }
    const objects = [];
    for (const key of page) {
      try {
        const metadata = await this.getMetadata(bucket, key);
        objects.push(new S3Object(bucket, key, null, metadata));
      } catch (err) {
        if (err.code !== 'ENOENT') throw err;
      }
    }
    return {
      objects,
      commonPrefixes: [...commonPrefixes].sort(byteOrder),
      isTruncated,
    };
  };
}

// AbortMultipartUpload (DELETE ?uploadId=) is answered 405 by s3rver; S3 drops the parts.
function abortMultipartUploads(server, directory) {
  return async (ctx, next) => {
    const match = /^\/([^/?]+)\/[^?]+\?(?:.*&)?uploadId=([0-9a-f]+)/.exec(
      ctx.url,
    );
    if (ctx.method === 'DELETE' && match) {
      const uploadDir = path.join(
        directory,
        match[1],
        '._S3rver_uploads',
        match[2],
      );
      if (!fs.existsSync(uploadDir)) {
        ctx.status = 404;
        ctx.type = 'application/xml';
        ctx.body =
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
        return;
      }
      fs.rmSync(uploadDir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    await next();
  };
}

async function main() {
  const directory = process.argv[2];
  patchS3rver();
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
  });
  server.middleware.unshift(abortMultipartUploads(server, directory));
  const requests = [];
  const address = await server.run();
  server.httpServer.on('request', (req, res) => {
    res.on('finish', () => {
      requests.push(`${req.method} ${req.url} ${res.statusCode}`);
    });
  });
  process.on('message', (message) => {
    if (message === 'requests') {
      process.send({ requests: requests.splice(0) });
    } else if (message === 'stop') {
      server.close().then(() => process.exit(0));
    }
  });
  process.send({ port: address.port });
}

main().catch((error) => {
  process.send?.({ error: String(error && error.stack) });
  process.exit(1);
});
