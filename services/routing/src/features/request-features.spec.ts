import { analyzeRequest } from './request-features';

const user = (content: string) => [{ role: 'user', content }];

describe('analyzeRequest', () => {
  it('estimates tokens at four characters each plus a few per message', () => {
    expect(analyzeRequest(user('x'.repeat(400))).estimatedTokens).toBe(104);
  });

  it.each([
    ['Is the gateway stateless?', 'yes_no'],
    ['What port does routing listen on?', 'factual'],
    ['How do I rotate a key?', 'how'],
    ['Why is my consumer lagging?', 'why'],
    ['Explain the outbox.', 'open'],
    ['Thanks, that worked.', 'none'],
  ])('reads %j as a %s question', (text, type) => {
    expect(analyzeRequest(user(text)).questionType).toBe(type);
  });

  it('finds code, math and safety-critical domains', () => {
    expect(analyzeRequest(user('```js\nconsole.log(1)\n```'))).toMatchObject({ code: true, math: false });
    expect(analyzeRequest(user('def area(r): return 3.14 * r * r'))).toMatchObject({ code: true });
    // Asking for code, with no code in the request.
    expect(analyzeRequest(user('Write a python function that reverses a list'))).toMatchObject({ code: true });
    expect(analyzeRequest(user('Can you fix the bug in my JavaScript code?'))).toMatchObject({ code: true });
    expect(analyzeRequest(user('I get a Traceback when I run it'))).toMatchObject({ code: true });
    expect(analyzeRequest(user('Write a short poem about the sea'))).toMatchObject({ code: false });
    expect(analyzeRequest(user('Which snake is a python?'))).toMatchObject({ code: false });
    expect(analyzeRequest(user('What is the integral of x^2?'))).toMatchObject({ math: true, code: false });
    expect(analyzeRequest(user('Can my landlord break the lease contract?')).domain).toBe('legal');
    expect(analyzeRequest(user('Should I refinance my mortgage?')).domain).toBe('finance');
    expect(analyzeRequest(user('What are the symptoms of flu?')).domain).toBe('medical');
    expect(analyzeRequest(user('What is the capital of France?'))).toMatchObject({ complexity: 'simple', code: false, math: false });
    expect(analyzeRequest(user('What is the capital of France?')).domain).toBeUndefined();
  });

  it('ignores the system prompt when looking for code, math or domains', () => {
    const messages = [{ role: 'system', content: 'You never give medical advice. function x() {}' }, ...user('Hello there')];
    expect(analyzeRequest(messages)).toMatchObject({ code: false, complexity: 'simple' });
    expect(analyzeRequest(messages).domain).toBeUndefined();
  });

  it('grades complexity by length and content', () => {
    expect(analyzeRequest(user('a '.repeat(5000))).complexity).toBe('complex');
    expect(analyzeRequest(user('Check that 2 * 3 = 6 in this code: ```x = 2 * 3```')).complexity).toBe('complex');
    expect(analyzeRequest(user('Why does the cache miss?')).complexity).toBe('moderate');
  });

  it('stays fast on long adversarial input (no catastrophic backtracking)', () => {
    const started = Date.now();
    analyzeRequest(user(`function ${'a'.repeat(200_000)} 1+ ${'('.repeat(50_000)}`));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
