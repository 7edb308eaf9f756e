import { amqpUrlListProblems, parseAmqpUrls, redactUrl } from './amqp-urls';
import { commonEnvProperties, ConfigError, loadConfig } from '../config/load-config';

const schema = { type: 'object' as const, properties: { AMQP_URL: commonEnvProperties.AMQP_URL } };

describe('AMQP_URL as a list of cluster nodes', () => {
  it('splits a comma-separated list and trims each entry', () => {
    expect(parseAmqpUrls('amqp://a:5672, amqp://b:5672 ,amqps://c')).toEqual(['amqp://a:5672', 'amqp://b:5672', 'amqps://c']);
    expect(parseAmqpUrls('amqp://guest:guest@127.0.0.1:5672')).toEqual(['amqp://guest:guest@127.0.0.1:5672']);
  });

  it('accepts one URL or several', () => {
    expect(amqpUrlListProblems('amqp://guest:guest@127.0.0.1:5672')).toEqual([]);
    expect(amqpUrlListProblems('amqp://u:p@rabbit-0:5672/vh,amqps://u:p@rabbit-1:5671/vh')).toEqual([]);
  });

  it('names each bad entry by position and text, with its password hidden', () => {
    const problems = amqpUrlListProblems('amqp://u:secret@a:5672,http://u:secret@b:15672,,amqp://u:secret@a:5672');
    expect(problems).toEqual([
      'entry 2 of 4 "http://u:***@b:15672" has scheme http; expected amqp or amqps',
      'entry 3 of 4 "" is empty (two commas in a row, or a comma at an end)',
      'entry 4 of 4 "amqp://u:***@a:5672" is listed twice',
    ]);
    expect(problems.join(' ')).not.toContain('secret');
  });

  it('rejects text that is not a URL', () => {
    expect(amqpUrlListProblems('rabbit-0:5672')).toEqual(['"rabbit-0:5672" has scheme rabbit-0; expected amqp or amqps']);
    expect(amqpUrlListProblems('amqp://a:5672,not a url')).toEqual(['entry 2 of 2 "not a url" is not a URL (expected amqp://user:pass@host:5672[/vhost])']);
  });

  it('hides every password of a list', () => {
    expect(redactUrl('amqp://u:p1@a:5672,amqp://v:p2@b:5672')).toBe('amqp://u:***@a:5672,amqp://v:***@b:5672');
  });

  it('the common config accepts a list and reports the bad entry of one under AMQP_URL', () => {
    expect(loadConfig<{ AMQP_URL: string }>(schema, { AMQP_URL: 'amqp://a:5701,amqp://b:5702' }).AMQP_URL).toBe('amqp://a:5701,amqp://b:5702');
    let error: unknown;
    try {
      loadConfig(schema, { AMQP_URL: 'amqp://a:5701,amqp//b:5702' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^AMQP_URL entry 2 of 2 "amqp\/\/b:5702" is not a URL/)]);
  });
});
