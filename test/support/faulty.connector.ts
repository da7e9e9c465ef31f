import {
  FennFlowConnector,
  ListObjectsOptions,
  ObjectBody,
  ObjectHead,
  ObjectListing,
  ObjectLocation,
  PresignOptions,
  PutObjectOptions,
  PutObjectResult,
  RemoveAbandonedUploadsOptions,
  StoredObject,
  StorageError,
} from 'fennflow-nestjs';

export type ConnectorMethod =
  | 'putObject'
  | 'getObject'
  | 'headObject'
  | 'copyObject'
  | 'deleteObjects'
  | 'listObjects'
  | 'removeAbandonedUploads'
  | 'presignGetUrl';

export interface ConnectorCall {
  readonly method: ConnectorMethod;
  readonly namespace: string;
  /** Keys touched: the key, or for a copy `from → to`, or the batch of a delete. */
  readonly keys: readonly string[];
}

export type FaultRule = (call: ConnectorCall) => boolean;

/** Thrown by the wrapper; tests tell injected faults from real ones by this class. */
export class InjectedFault extends StorageError {
  constructor(call: ConnectorCall) {
    super(`Injected fault in ${call.method}(${call.keys.join(', ')})`);
  }
}

/**
 * Wraps a real connector: records every call and fails the ones a rule picks, before they reach
 * storage. Nothing is mocked; the bytes go to the real connector.
 */
export class FaultyConnector extends FennFlowConnector {
  readonly calls: ConnectorCall[] = [];
  private rules: FaultRule[] = [];

  constructor(readonly inner: FennFlowConnector) {
    super();
  }

  get kind(): string {
    return this.inner.kind;
  }

  override get canSignUrls(): boolean {
    return this.inner.canSignUrls;
  }

  failWhen(rule: FaultRule): this {
    this.rules.push(rule);
    return this;
  }

  heal(): this {
    this.rules = [];
    return this;
  }

  callsOf(method: ConnectorMethod): ConnectorCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  private enter(call: ConnectorCall): void {
    this.calls.push(call);
    if (this.rules.some((rule) => rule(call))) throw new InjectedFault(call);
  }

  override open(): Promise<void> {
    return this.inner.open();
  }

  override close(): Promise<void> {
    return this.inner.close();
  }

  override ensureNamespace(namespace: string): Promise<void> {
    return this.inner.ensureNamespace(namespace);
  }

  override validateKey(namespace: string, key: string): void {
    this.inner.validateKey(namespace, key);
  }

  async putObject(
    namespace: string,
    key: string,
    body: ObjectBody,
    options: PutObjectOptions,
  ): Promise<PutObjectResult> {
    this.enter({ method: 'putObject', namespace, keys: [key] });
    return this.inner.putObject(namespace, key, body, options);
  }

  async getObject(namespace: string, key: string): Promise<StoredObject> {
    this.enter({ method: 'getObject', namespace, keys: [key] });
    return this.inner.getObject(namespace, key);
  }

  async headObject(namespace: string, key: string): Promise<ObjectHead | null> {
    this.enter({ method: 'headObject', namespace, keys: [key] });
    return this.inner.headObject(namespace, key);
  }

  async copyObject(
    from: ObjectLocation,
    to: ObjectLocation,
  ): Promise<PutObjectResult> {
    this.enter({
      method: 'copyObject',
      namespace: from.namespace,
      keys: [from.key, to.key],
    });
    return this.inner.copyObject(from, to);
  }

  async deleteObjects(
    namespace: string,
    keys: readonly string[],
  ): Promise<void> {
    this.enter({ method: 'deleteObjects', namespace, keys });
    return this.inner.deleteObjects(namespace, keys);
  }

  async listObjects(
    namespace: string,
    options?: ListObjectsOptions,
  ): Promise<ObjectListing> {
    this.enter({
      method: 'listObjects',
      namespace,
      keys: [options?.prefix ?? ''],
    });
    return this.inner.listObjects(namespace, options);
  }

  override async removeAbandonedUploads(
    namespace: string,
    olderThan: Date,
    options?: RemoveAbandonedUploadsOptions,
  ): Promise<number> {
    this.enter({
      method: 'removeAbandonedUploads',
      namespace,
      keys: options?.key === undefined ? [] : [options.key],
    });
    return this.inner.removeAbandonedUploads(namespace, olderThan, options);
  }

  override async presignGetUrl(
    namespace: string,
    key: string,
    options?: PresignOptions,
  ): Promise<string> {
    this.enter({ method: 'presignGetUrl', namespace, keys: [key] });
    return this.inner.presignGetUrl(namespace, key, options);
  }
}
