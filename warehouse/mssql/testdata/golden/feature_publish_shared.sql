DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = N'genexp.publish', @LockMode = N'Shared',
    @LockOwner = N'Transaction', @LockTimeout = @p1;
SELECT @result;
