import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { FennFlowModule } from 'fennflow-nestjs';
import { AppUnitOfWork } from './app.unit-of-work';
import { FennFlowExceptionFilter } from './fennflow-exception.filter';
import { storageConfig } from './storage.config';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    FennFlowModule.forRootAsync({
      useFactory: () => ({ ...storageConfig(), unitOfWork: AppUnitOfWork }),
    }),
    UsersModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: FennFlowExceptionFilter }],
})
export class AppModule {}
