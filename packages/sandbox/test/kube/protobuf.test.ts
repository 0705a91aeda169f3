import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/kube/server/errors.js';
import { decodeProtobuf, encode } from '../../src/kube/encoding/protobuf.js';

const { bytes, entry, envelope, int } = encode;

describe('protobuf request bodies', () => {
  it('decodes a helm release Secret: metadata with labels, binary data, type', () => {
    const release = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff]);
    const meta = Buffer.concat([
      bytes(1, 'sh.helm.release.v1.web.v1'),
      bytes(3, 'app'),
      entry(11, 'owner', 'helm'),
      entry(11, 'status', 'deployed'),
      bytes(6, '41'),
    ]);
    const secret = Buffer.concat([bytes(1, meta), entry(2, 'release', release), bytes(3, 'helm.sh/release.v1')]);
    const o = decodeProtobuf(envelope('v1', 'Secret', secret));
    expect(o).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'sh.helm.release.v1.web.v1',
        namespace: 'app',
        labels: { owner: 'helm', status: 'deployed' },
        resourceVersion: '41',
      },
      data: { release: release.toString('base64') },
      type: 'helm.sh/release.v1',
    });
  });

  it('decodes a Namespace as kubectl 1.34 creates it, and a ConfigMap', () => {
    const ns = decodeProtobuf(
      envelope(
        'v1',
        'Namespace',
        Buffer.concat([
          bytes(1, Buffer.concat([bytes(1, 'preview-pr-12'), entry(12, 'a', 'b')])),
          bytes(2, Buffer.alloc(0)),
          bytes(3, Buffer.alloc(0)),
        ]),
      ),
    );
    expect(ns).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'preview-pr-12', annotations: { a: 'b' } },
      spec: {},
      status: {},
    });
    const cm = decodeProtobuf(
      envelope('v1', 'ConfigMap', Buffer.concat([bytes(1, bytes(1, 'cfg')), entry(2, 'k', 'v'), int(4, 1)])),
    );
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data: { k: 'v' },
      immutable: true,
    });
  });

  it('decodes DeleteOptions (propagationPolicy, preconditions, grace period, dryRun)', () => {
    const body = Buffer.concat([
      int(1, 0),
      bytes(2, Buffer.concat([bytes(1, 'uid-1')])),
      bytes(4, 'Foreground'),
      bytes(5, 'All'),
    ]);
    expect(decodeProtobuf(envelope('meta.k8s.io/v1', 'DeleteOptions', body))).toEqual({
      apiVersion: 'meta.k8s.io/v1',
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'uid-1' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  });

  it('an undecodable kind is a 415 naming it; garbage is a 400', () => {
    const e415 = (() => {
      try {
        decodeProtobuf(envelope('argoproj.io/v1alpha1', 'Application', Buffer.alloc(0)));
      } catch (e) {
        return e as ApiError;
      }
      return undefined;
    })();
    expect(e415).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    expect(e415?.message).toMatch(/Application/);
    expect(() => decodeProtobuf(Buffer.from('{"kind":"Secret"}'))).toThrow(/k8s\\0 prefix/);
    expect(() =>
      decodeProtobuf(Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0]), Buffer.from([0x0a, 0x50])])),
    ).toThrow(ApiError);
  });

  it("one wire reader: a truncated body of a kind decoded from kubectl's descriptors is a 400 too, never a partial object", () => {
    // field 1 (metadata) announces 80 bytes and carries none
    const truncated = envelope('apps/v1', 'Deployment', Buffer.from([0x0a, 0x50]));
    const e = (() => {
      try {
        decodeProtobuf(truncated);
      } catch (err) {
        return err as ApiError;
      }
      return undefined;
    })();
    expect(e).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(e?.message).toMatch(/unable to decode protobuf body: truncated field/);
  });
});
