"""Orchestrator: the same calls, order and hazards as AIOpsLab's, with no cluster behind them."""

import asyncio
import atexit
import os
import time

from aiopslab import _standin
from aiopslab.orchestrator.parser import ResponseParser
from aiopslab.orchestrator.problems.registry import ProblemRegistry
from aiopslab.service.kubectl import KubeCtl
from aiopslab.session import Session
from aiopslab.utils.status import InvalidActionError, ResponseParsingError, SessionPrint, SubmissionStatus

_standin.make_noise("import aiopslab.orchestrator (loading tiktoken encoding)")


class Prometheus:
    def deploy(self):
        _standin.make_noise("helm install prometheus")

    def teardown(self):
        _standin.make_noise("helm uninstall prometheus")


class Orchestrator:
    def __init__(self, results_dir=None):
        _standin.mark("orchestrator-constructed", str(os.getpid()))
        self.agent = None
        self.session = None
        self.parser = ResponseParser()
        self.probs = ProblemRegistry()
        self.sprint = SessionPrint()
        self.execution_start_time = None
        self.kubectl = KubeCtl()
        self.use_wandb = os.getenv("USE_WANDB", "false").lower() == "true"
        self.results_dir = results_dir

    def init_problem(self, problem_id: str):
        self.execution_start_time = time.time()
        self.session = Session(results_dir=self.results_dir)
        print(f"Session ID: {self.session.session_id}")
        prob = self.probs.get_problem_instance(problem_id)
        deployment = self.probs.get_problem_deployment(problem_id)
        self.session.set_problem(prob, pid=problem_id)
        self.session.set_agent(self.agent_name)  # AttributeError unless register_agent came first

        if deployment != "docker":
            print("Setting up OpenEBS...")
            self.kubectl.exec_command("kubectl apply -f https://openebs.github.io/charts/openebs-operator.yaml")
            self.kubectl.wait_for_ready("openebs")
            self.prometheus = Prometheus()
            self.prometheus.deploy()

        prob.app.delete()
        prob.app.deploy()
        prob.inject_fault()
        atexit.register(exit_cleanup_fault, prob=prob)
        prob.start_workload()

        return prob.get_task_description(), prob.get_instructions(), prob.get_available_actions()

    def register_agent(self, agent, name="agent"):
        self.agent = agent
        self.agent_name = name

    async def ask_agent(self, input):
        agent_response = await self.agent.get_action(input)
        self.session.add({"role": "assistant", "content": agent_response})
        return agent_response

    async def ask_env(self, input):
        try:
            resp = self.parser.parse(input)
        except ResponseParsingError as e:
            self.session.add({"role": "env", "content": str(e)})
            return str(e)
        api, args, kwargs = resp["api_name"], resp["args"], resp["kwargs"]
        if api == "submit":
            self.session.set_solution(args[0] if len(args) == 1 else args)
        try:
            env_response = self.session.problem.perform_action(api, *args, **kwargs)
        except InvalidActionError as e:
            env_response = str(e)
        self.session.add({"role": "env", "content": env_response})
        return env_response

    async def start_problem(self, max_steps: int):
        action_instr = "Please take the next action"
        action, env_response, results = "", "", {}
        self.session.start()
        try:
            for step in range(max_steps):
                action = await self.ask_agent(action_instr)
                self.sprint.agent(action)
                env_response = await self.ask_env(action)
                self.sprint.service(env_response)
                if env_response == SubmissionStatus.VALID_SUBMISSION:
                    break
                elif env_response == SubmissionStatus.INVALID_SUBMISSION:
                    raise ValueError("Invalid submission!")
                action_instr = env_response + "\n" + "Please take the next action"
        except Exception as e:
            print("Some exception happened. Recovering the injected fault...")
            self.session.problem.recover_fault()
            atexit.unregister(exit_cleanup_fault)
            raise e

        self.session.end()
        results = self.session.problem.eval(self.session.solution, self.session.history, self.session.get_duration())
        self.sprint.result(results)
        self.session.set_results(results)
        self.session.to_json()

        self.session.problem.recover_fault()
        atexit.unregister(exit_cleanup_fault)
        self.session.problem.app.cleanup()
        if self.session.problem.namespace != "docker":
            self.prometheus.teardown()
            self.kubectl.exec_command("kubectl delete -f https://openebs.github.io/charts/openebs-operator.yaml")
            self.kubectl.wait_for_namespace_deletion("openebs")

        total_execution_time = time.time() - self.execution_start_time
        key = next((k for k in ("TTD", "TTL", "TTA", "TTM") if k in results), None)
        framework_overhead = total_execution_time - results[key]
        await asyncio.sleep(0)
        return {
            "history": self.session.history,
            "final_state": env_response,
            "results": results,
            "framework_overhead": framework_overhead,
        }


def exit_cleanup_fault(prob):
    print("Recovering fault before exit...")
    _standin.mark("atexit-hook-ran", prob.problem_id)
    prob.recover_fault()
