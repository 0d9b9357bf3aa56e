import { App, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ConstructError, constructError } from "../../../modules/core/construct-error";

describe("constructError", () => {
  it("starts the message with the construct's path and keeps the path apart", () => {
    // GIVEN a construct two levels below a stack
    const stack = new TerraformStack(new App(), "dev-services");
    const construct = new Construct(new Construct(stack, "operations"), "alarms");
    // WHEN it builds an error
    const error = constructError(construct, 'alarm id "x" is used twice');
    // THEN the message names the path first, and the path is a field of its own
    expect(error).toBeInstanceOf(ConstructError);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('dev-services/operations/alarms: alarm id "x" is used twice');
    expect(error.constructPath).toBe("dev-services/operations/alarms");
    expect(error.name).toBe("ConstructError");
  });
});
