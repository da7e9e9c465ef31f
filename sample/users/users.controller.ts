import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  NotFoundException,
  Param,
  ParseBoolPipe,
  ParseIntPipe,
  Post,
  Query,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Content } from 'fennflow-nestjs';
import { UserFile, UsersService } from './users.service';

/** Largest avatar accepted; multer answers 413 above it. */
export const MAX_AVATAR_BYTES = 5 * 1024 * 1024;

/** The part of a multer file the sample reads (memory storage). */
interface UploadedAvatar {
  readonly buffer: Buffer;
  readonly mimetype: string;
}

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /**
   * multipart/form-data with an `avatar` image and a `profile` JSON object;
   * `?failVerification=true` makes the face check fail (422, nothing stored).
   */
  @Post(':id')
  @UseInterceptors(
    FileInterceptor('avatar', {
      limits: { fileSize: MAX_AVATAR_BYTES, files: 1 },
    }),
  )
  async upload(
    @Param('id', ParseIntPipe) id: number,
    @UploadedFile() avatar: UploadedAvatar | undefined,
    @Body('profile') profile: string | undefined,
    @Query('failVerification', new ParseBoolPipe({ optional: true }))
    failVerification: boolean | undefined,
  ): Promise<{ userId: number; files: UserFile[] }> {
    if (!avatar) throw new BadRequestException("Missing file field 'avatar'.");
    if (!avatar.mimetype.startsWith('image/')) {
      throw new BadRequestException(
        `The avatar must be an image, got '${avatar.mimetype}'.`,
      );
    }
    const files = await this.users.saveUser(
      id,
      { bytes: avatar.buffer, mediaType: avatar.mimetype },
      parseProfile(profile),
      { failVerification },
    );
    return { userId: id, files };
  }

  @Get(':id/files')
  async files(
    @Param('id', ParseIntPipe) id: number,
  ): Promise<{ userId: number; files: UserFile[] }> {
    return { userId: id, files: await this.users.listFiles(id) };
  }

  @Get(':id/avatar')
  async avatar(@Param('id', ParseIntPipe) id: number): Promise<StreamableFile> {
    return download(await this.users.readAvatar(id));
  }

  @Get(':id/profile')
  async profile(
    @Param('id', ParseIntPipe) id: number,
  ): Promise<StreamableFile> {
    return download(await this.users.readProfile(id));
  }

  @Delete(':id')
  async remove(
    @Param('id', ParseIntPipe) id: number,
  ): Promise<{ userId: number; deleted: string[] }> {
    const deleted = await this.users.deleteUser(id);
    if (deleted.length === 0) {
      throw new NotFoundException(`User ${id} has no files.`);
    }
    return { userId: id, deleted };
  }
}

function parseProfile(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) {
    throw new BadRequestException("Missing field 'profile' (a JSON object).");
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BadRequestException("Field 'profile' is not valid JSON.");
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestException("Field 'profile' must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** Streams the stored bytes with their stored media type. */
function download(content: Content): StreamableFile {
  return new StreamableFile(content.stream(), {
    type: content.mediaType,
    length: content.size,
    disposition: `inline; filename="${content.filename}"`,
  });
}
