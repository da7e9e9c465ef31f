import { Module } from '@nestjs/common';
import { FaceCheckService } from './face-check.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersController],
  providers: [UsersService, FaceCheckService],
})
export class UsersModule {}
