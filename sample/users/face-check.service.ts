import { Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { ImageContent } from 'fennflow-nestjs';

export interface FaceCheckOptions {
  /** Makes the check fail, to show that a failed step leaves nothing behind. */
  readonly fail?: boolean;
}

/**
 * Stand-in for a call to a face-recognition service. It runs inside the unit of work, so when
 * it throws, every write made before it is undone. The exception is also the HTTP answer (422).
 */
@Injectable()
export class FaceCheckService {
  async verify(
    userId: number,
    avatar: ImageContent,
    options: FaceCheckOptions = {},
  ): Promise<void> {
    if (options.fail || avatar.size === 0) {
      throw new UnprocessableEntityException(
        `Face check failed for the avatar of user ${userId}; nothing was stored.`,
      );
    }
  }
}
