import { create } from '@bufbuild/protobuf';
import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ListPromptsResponseSchema,
  Prompts,
  PromptTemplateSchema,
  RenderPromptResponseSchema,
  type GetPromptRequest,
  type ListPromptsResponse,
  type PromptTemplate,
  type RenderPromptRequest,
  type RenderPromptResponse,
} from '@llmops/contracts';
import { GrpcRpc } from '@llmops/grpc';
import { LlmopsAttributes } from '@llmops/telemetry';
import { trace } from '@opentelemetry/api';
import { relative } from 'node:path';
import { PromptTemplateRepository } from '../templates/prompt-template.repository';
import { PromptRenderer } from '../templates/prompt.renderer';
import type { PromptTemplate as StoredTemplate } from '../templates/prompt-template';
import { toPlatformError } from './prompts-error.mapping';

function toMessage(template: StoredTemplate, root: string): PromptTemplate {
  return create(PromptTemplateSchema, {
    name: template.name,
    version: template.versionTag,
    template: template.template,
    variables: template.variables,
    source: relative(root, template.source),
    contentHash: template.contentHash,
  });
}

/** Accepts `2` or `v2`; empty means the latest version. */
function versionOf(version: string): string | undefined {
  return version === '' ? undefined : version.replace(/^v/i, '');
}

@Controller()
export class PromptsGrpcController {
  constructor(
    private readonly repository: PromptTemplateRepository,
    private readonly renderer: PromptRenderer,
  ) {}

  @GrpcRpc(Prompts, 'get')
  get(@Payload() request: GetPromptRequest): PromptTemplate {
    try {
      return toMessage(this.repository.get(request.name, versionOf(request.version)), this.repository.dir);
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Prompts, 'render')
  render(@Payload() request: RenderPromptRequest): RenderPromptResponse {
    try {
      const rendered = this.renderer.render(request.name, versionOf(request.version), request.variables);
      trace.getActiveSpan()?.setAttributes({ [LlmopsAttributes.promptName]: rendered.name, [LlmopsAttributes.promptVersion]: rendered.versionTag });
      return create(RenderPromptResponseSchema, { text: rendered.text, name: rendered.name, version: rendered.versionTag });
    } catch (error) {
      throw toPlatformError(error);
    }
  }

  @GrpcRpc(Prompts, 'list')
  list(): ListPromptsResponse {
    return create(ListPromptsResponseSchema, { prompts: this.repository.list().map((template) => toMessage(template, this.repository.dir)) });
  }
}
