import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  FennFlowError,
  FileNotFoundError,
  InvalidPathError,
  RecordAlreadyExistsError,
  RecordLockedError,
} from 'fennflow-nestjs';

const STATUS_BY_ERROR: ReadonlyArray<
  readonly [abstract new (...args: never[]) => FennFlowError, HttpStatus]
> = [
  [FileNotFoundError, HttpStatus.NOT_FOUND],
  [RecordLockedError, HttpStatus.CONFLICT],
  [RecordAlreadyExistsError, HttpStatus.CONFLICT],
  [InvalidPathError, HttpStatus.BAD_REQUEST],
];

/** Turns FennFlow errors into HTTP answers; anything unmapped is a 500. */
@Catch(FennFlowError)
export class FennFlowExceptionFilter implements ExceptionFilter<FennFlowError> {
  private readonly logger = new Logger(FennFlowExceptionFilter.name);

  catch(error: FennFlowError, host: ArgumentsHost): void {
    const status =
      STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ??
      HttpStatus.INTERNAL_SERVER_ERROR;
    if (status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(error.message, error.stack);
    }
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(status)
      .json({
        statusCode: status,
        code: error.code,
        message:
          status === HttpStatus.INTERNAL_SERVER_ERROR
            ? 'Internal server error'
            : error.message,
      });
  }
}
