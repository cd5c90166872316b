import { Module, type DynamicModule } from '@nestjs/common';
import { loadPlatformConfig } from '@llmops/config';
import { PromptsGrpcController } from './grpc/prompts.grpc.controller';
import { PromptTemplateRepository } from './templates/prompt-template.repository';
import { PromptRenderer } from './templates/prompt.renderer';

@Module({})
export class PromptsModule {
  static async forRoot(env: Readonly<Record<string, string | undefined>> = process.env): Promise<DynamicModule> {
    const platform = loadPlatformConfig({ env });
    const repository = await PromptTemplateRepository.load(platform.prompts.dir);
    return {
      module: PromptsModule,
      controllers: [PromptsGrpcController],
      providers: [
        { provide: PromptTemplateRepository, useValue: repository },
        { provide: PromptRenderer, useValue: new PromptRenderer(repository) },
      ],
    };
  }
}
